# Finalizers in a two-object cycle run during collection, then both are freed.
import gc
gc.collect()
class Noisy:
    def __init__(self, name):
        self.name = name
        self.other = None
    def __del__(self):
        print("del", self.name, self.other.name)
x = Noisy("x")
y = Noisy("y")
x.other = y
y.other = x
del x, y
print("collecting")
print(gc.collect())
print("done")
