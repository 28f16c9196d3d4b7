# The empty string and the empty tuple are singletons.
a = ""
b = "abc"[3:]
c = str()
d = "".join([])
print(a is b, a is c, a is d)
t = ()
u = tuple([])
v = (1, 2)[2:]
print(t is u, t is v)
x = []
y = []
print(x is y)
s1 = set()
s2 = set()
print(s1 is s2, s1 == s2)
