# The right operand's reflected method (3 * v calls v.__rmul__), __abs__, and abs of a
# non-negative int being that very int.
import sys


class Vec:
    def __init__(self, x, y):
        self.x, self.y = x, y

    def __add__(self, o):
        return Vec(self.x + o.x, self.y + o.y)

    def __mul__(self, k):
        return Vec(self.x * k, self.y * k)

    def __rmul__(self, k):
        return self * k

    def __radd__(self, o):
        return Vec(self.x + o, self.y + o)

    def __abs__(self):
        return (self.x ** 2 + self.y ** 2) ** 0.5

    def __repr__(self):
        return "Vec(%d, %d)" % (self.x, self.y)


v = Vec(3, 4)
print(3 * v, v * 2, 1 + v, sum([Vec(1, 1), Vec(2, 2)], Vec(0, 0)), abs(v))
try:
    v - 1
except TypeError as e:
    print(e)
try:
    "a" - v
except TypeError as e:
    print(e)
big = 10 ** 20
print(abs(big) is big, abs(-big) == big, abs(-big) is big, abs(True), abs(-2.5))
n = 12345
print(abs(n) is n, sys.getrefcount(n) > 1)
