# Objects without cycles are freed immediately by refcounting; gc finds nothing.
import gc
gc.collect()
a = [1, 2, [3, 4]]
b = {"x": a}
del a
del b
print(gc.collect())
class Leaf:
    pass
leaves = [Leaf() for _ in range(10)]
del leaves
print(gc.collect())
