# With the GC disabled, cycles stay in memory until an explicit collect.
import gc
gc.collect()
gc.disable()
for i in range(50):
    a = []
    a.append(a)
del a
print(gc.isenabled())
print(gc.collect())
gc.enable()
print(gc.collect())
