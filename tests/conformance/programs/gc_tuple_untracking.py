# Tuples of atomic values get untracked by a collection.
import gc
t = tuple([1, 2, 3])
print(gc.is_tracked(t))
u = tuple([[], 1])
gc.collect()
print(gc.is_tracked(t), gc.is_tracked(u))
d = {}
print(gc.is_tracked(d))
d["k"] = [1]
print(gc.is_tracked(d))
d["k"] = 1
print(gc.is_tracked(d))
