# String concatenation of literals is folded at compile time.
a = "ab" + "cd"
b = "abcd"
print(a is b)
c = "ab"
d = c + "cd"
print(d == b, d is b)
e = "x" * 3
print(e == "xxx")
f = "hello " + "world"
g = "hello world"
print(f is g)
