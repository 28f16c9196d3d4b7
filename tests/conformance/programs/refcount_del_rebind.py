# del and rebinding each drop one reference.
import sys
obj = ["payload"]
names = [obj]
x = obj
y = obj
print(sys.getrefcount(obj))
del x
print(sys.getrefcount(obj))
y = "something else"
print(sys.getrefcount(obj))
names[0] = 0
print(sys.getrefcount(obj))
names = [obj] * 5
print(sys.getrefcount(obj))
names.clear()
print(sys.getrefcount(obj))
