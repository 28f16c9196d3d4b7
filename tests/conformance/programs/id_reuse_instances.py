# Instance memory reuse after del: the allocator hands back the last freed block.
class Box:
    def __init__(self, v):
        self.v = v
a = Box(1)
addr = id(a)
del a
b = Box(2)
print(id(b) == addr)
c = Box(3)
print(id(c) == addr, id(c) == id(b))
del b
d = Box(4)
print(id(d) == addr)
