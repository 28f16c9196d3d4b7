# A list containing itself holds a reference to itself.
import sys
a = []
print(sys.getrefcount(a))
a.append(a)
print(sys.getrefcount(a))
a.append(a)
print(sys.getrefcount(a), len(a))
a.clear()
print(sys.getrefcount(a))
d = {}
d["self"] = d
d["again"] = d
print(sys.getrefcount(d))
