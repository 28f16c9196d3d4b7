# A freed dict's slot is reused by the next dict allocation.
a = {"k": 1}
addr = id(a)
del a
b = {}
print(id(b) == addr)
del b
c = dict()
print(id(c) == addr)
