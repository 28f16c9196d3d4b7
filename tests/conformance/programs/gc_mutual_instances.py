# Two instances pointing at each other form a cycle that refcounting cannot free.
import gc
gc.collect()
class Person:
    def __init__(self, name):
        self.name = name
        self.friend = None
a = Person("Ann")
b = Person("Bob")
a.friend = b
b.friend = a
print(a.friend.friend.name)
del a
print(gc.collect())
del b
print(gc.collect())
