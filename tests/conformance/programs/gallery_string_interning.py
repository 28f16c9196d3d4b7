import sys

a = "memlane"
b = "memlane"
print(a is b)
c = "".join(["mem", "lane"])
print(c == a, c is a)
d = sys.intern(c)
print(d is a)
