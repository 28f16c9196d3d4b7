# Strings built at run time are new objects, even if equal to a literal.
s = "abc"
t = "ab"
u = t + "c"
print(u == s, u is s)
v = "ABC".lower()
print(v == s, v is s)
w = str(123)
x = str(123)
print(w == x, w is x)
y = s[:]
print(y is s)
z = s[0:3]
print(z is s)
