# A fresh list's refcount counts each name and container slot holding it.
import sys
a = [1, 2, 3]
print(sys.getrefcount(a))
b = a
print(sys.getrefcount(a))
c = [a, a]
print(sys.getrefcount(a))
del b
print(sys.getrefcount(a))
c.pop()
print(sys.getrefcount(a))
c = None
print(sys.getrefcount(a))
