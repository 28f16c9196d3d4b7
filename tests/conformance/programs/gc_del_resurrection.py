# PEP 442: __del__ may resurrect an object, and it is never called twice.
import gc
gc.collect()
saved = []
class Phoenix:
    def __del__(self):
        print("finalizing")
        saved.append(self)
p = Phoenix()
p.loop = p
del p
print(gc.collect())
print(len(saved))
saved.clear()
print(gc.collect())
print("end")
