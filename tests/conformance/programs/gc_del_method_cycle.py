# Objects with __del__ in a cycle are finalized by the collector (PEP 442).
import gc
gc.collect()
class Noisy:
    def __init__(self, name):
        self.name = name
    def __del__(self):
        print("del", self.name)
a = Noisy("a")
a.self = a
del a
print("before collect")
print(gc.collect())
print("after collect")
