# Dict values hold references; keys too.
import sys
d = {}
print(sys.getrefcount(d))
holder = {"a": d, "b": d}
print(sys.getrefcount(d))
holder["a"] = None
print(sys.getrefcount(d))
t = (d, d, d)
print(sys.getrefcount(d))
del t
del holder
print(sys.getrefcount(d))
