# Copying and merging dicts: a dense dict is cloned table and all, a holey one is compacted; a dict emptied to one item grows to 16 slots.
import gc, sys

d = {i: i for i in range(5)}
for i in range(4):
    del d[i]
d[9] = 9
print(sys.getsizeof(d), list(d))

for n in (1, 4, 5, 9, 10):
    holey = {i: i for i in range(n + 2)}
    del holey[0]
    del holey[1]
    g = {}
    g.update(holey)
    clean = {i: i for i in range(n)}
    h = {}
    h.update(clean)
    e = {-1: 0}
    e.update(clean)
    print(n, sys.getsizeof(g), sys.getsizeof(h), sys.getsizeof(e), sys.getsizeof(dict(holey)), sys.getsizeof(holey.copy()))

c = {i: i for i in range(6)}
for i in range(3):
    del c[i]
k = c.copy()
print(sys.getsizeof(k), list(k), sys.getsizeof(dict(c)), sys.getsizeof({**c}))
m = {'a': 1, 'b': 2}
n = {}
n.update(m)
n.update({3: 4})
print(sys.getsizeof(n), list(n))
r = {f'k{i}': i for i in range(12)}
print(sys.getsizeof(r), sys.getsizeof(r.copy()), sys.getsizeof(dict(r)))
a = {'x': 1}
b = {'x': []}
print(gc.is_tracked(a.copy()), gc.is_tracked(b.copy()), gc.is_tracked(dict(a)), gc.is_tracked(dict(b)))
