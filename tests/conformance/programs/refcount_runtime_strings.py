# Non-identifier strings built at run time are fresh objects with one reference.
import sys
s = "-".join(["a", "b", "c"])
print(sys.getrefcount(s))
t = s
print(sys.getrefcount(s))
parts = s.split("-")
print(len(parts), sys.getrefcount(parts))
u = s + "!"
n = sys.getrefcount(u)
d = {u: u}
m = sys.getrefcount(u)
print(n, m, len(u))
