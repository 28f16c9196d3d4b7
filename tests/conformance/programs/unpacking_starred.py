# Starred targets collect the leftover items into a new list.
first, *rest = [1, 2, 3, 4]
print(first, rest)
*init, last = "abcd"
print(init, last)
a, *mid, b = (1, 2)
print(a, mid, b)
head, *tail = range(5)
print(head, tail, type(tail).__name__)
try:
    x, y, *z = [1]
except ValueError as e:
    print(e)
merged = rest + init
print(merged, merged is rest)


# An instance with __iter__ unpacks as any iterable does.
class Pair:
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))


a, b = Pair(2)
first, *rest = Pair(4)
print(a, b, first, rest)
try:
    a, b = 5
except TypeError as e:
    print(e)
