# gc.get_count() tracks allocations of container objects since the last collection.
import gc
gc.collect()
print(gc.get_count())
keep = [[] for _ in range(10)]
c = gc.get_count()
print(c[0] >= 10, c[1], c[2])
gc.collect()
print(gc.get_count())
