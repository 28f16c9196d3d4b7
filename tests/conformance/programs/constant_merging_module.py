# Equal constants in one compilation unit are one object.
a = 257
b = 257
print(a is b)
c = 1000; d = 1000
print(c is d)
e = 3.14
f = 3.14
print(e is f)
s = "hello world!"
t = "hello world!"
print(s is t)
