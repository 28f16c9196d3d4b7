# A range is small however long; an instance is a fixed-size object.
import sys
print(sys.getsizeof(range(10)), sys.getsizeof(range(10 ** 6)))
print(len(range(0, 100, 7)))
class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y
class Empty:
    pass
p = Point(1, 2)
print(sys.getsizeof(p))
print(sys.getsizeof(Empty()))
print(sys.getsizeof(p.x))
