# Set operators build their result as CPython does, so the printed order and the table's size match.
import sys

a = set(range(0, 40, 3))
b = set(range(0, 60, 2))
for r in (a & b, b & a, a - b, b - a, a ^ b, b ^ a, a | b, b | a):
    print(list(r), sys.getsizeof(r))
c = {i * 64 for i in range(12)}
d = {i * 32 for i in range(30)}
for r in (c & d, d & c, c - d, d - c, c ^ d, d ^ c):
    print(list(r), sys.getsizeof(r))

u = set(range(100))
print(sys.getsizeof(u - set(range(5))), list(u - set(range(95))))
u -= set(range(90))
print(sys.getsizeof(u), list(u))

items = list(range(0, 60, 2)) + [3, 3]
print(list(a.intersection(items)), list(a.difference(items)), list(a.union(items)))
print(list(a.symmetric_difference(items)), list(a.intersection(items, range(10))))
print(a.isdisjoint(items), a.isdisjoint([1, 2]), frozenset(a).isdisjoint(a))
e = set(a)
e.difference_update(items, [9])
print(list(e), sys.getsizeof(e))
e = set(a)
e.intersection_update(items)
print(list(e), sys.getsizeof(e))
e = set(a)
e.symmetric_difference_update({3: 1, 100: 2})
print(list(e), type(frozenset(a) ^ a).__name__)
