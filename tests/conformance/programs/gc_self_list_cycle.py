# A list that contains itself is freed only by the cyclic collector.
import gc
gc.collect()
a = []
a.append(a)
print(a)
print(a[0] is a)
del a
print(gc.collect())
print(gc.collect())
