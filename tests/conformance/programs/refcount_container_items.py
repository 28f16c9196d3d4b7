# Putting an object in many containers raises its count once per slot.
import sys
obj = [0]
print(sys.getrefcount(obj))
lst = [obj] * 3
tup = (obj, obj)
dct = {1: obj, 2: obj}
print(sys.getrefcount(obj))
st = [lst, tup]
print(sys.getrefcount(obj))
del lst
print(sys.getrefcount(obj))
print(sys.getrefcount(st[1]))
del tup
print(sys.getrefcount(st[1]))
