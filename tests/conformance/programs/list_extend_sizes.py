# How much room list() and extend() give: exact for a sized source in 3.11-3.12, list_resize's spare room from a dict or set in 3.13, and extend rounds to the new size when it grows by a lot.
import sys

for n in range(12):
    d = {i: i for i in range(n)}
    s = set(range(n))
    a = [9, 9, 9]
    a.extend(s)
    b = [9]
    b.extend(d)
    sizes = [list(d), list(s), list(frozenset(s)), list(d.keys()), list(d.values()), list(d.items()), a, b]
    print(n, [sys.getsizeof(x) for x in sizes])
c = [1, 2, 3]
c.extend(range(20))
print(sys.getsizeof(c))
e = [0] * 4
e.extend((x for x in range(3)))
print(sys.getsizeof(e))
