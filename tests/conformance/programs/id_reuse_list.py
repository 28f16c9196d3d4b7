# A freed list's memory is reused by the next list of the same kind.
a = [1, 2, 3]
addr = id(a)
del a
b = [4, 5, 6]
print(id(b) == addr)
c = [7, 8, 9]
print(id(c) == addr)
print(id(c) == id(b))
