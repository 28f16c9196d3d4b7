# One-character latin-1 strings made at run time come from a shared cache (3.13 also unifies constants).
s = "hello"
a = s[1]
a2 = "spelled"[2]
print(a is a2)
c = chr(101)
print(c is a)
b = "e"
print(a is b, c is b)
z = "".join(["z"])
z2 = "xyz"[-1]
print(z is z2)
e = str(7)
seven = "17"[1]
print(e is seven)
print(chr(1000) is chr(1000), chr(1000) == chr(1000))
