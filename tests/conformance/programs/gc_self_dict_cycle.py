# A dict that contains itself is a cycle of one object.
import gc
gc.collect()
d = {}
d["me"] = d
print(d)
del d
print(gc.collect())
d1 = {}
d2 = {"other": d1}
d1["other"] = d2
del d1, d2
print(gc.collect())
