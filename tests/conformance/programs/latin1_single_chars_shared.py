# One-character Latin-1 strings are shared: a literal that is not a name character is the
# shared object, as a slice or chr() gives it; from 3.12 they carry their UTF-8 form.
import sys
s = "aé!ü b"
e, bang, space, a, u = "é", "!", " ", "a", "ü"
print(e is s[1], bang is s[2], space is s[4], a is s[0], u is s[3], e is chr(233))
x = "!"
y = "!"
print(x is y, e is "aé"[1:], sys.getrefcount(bang) > 10)
b = chr(233)
c = "aé"
d = "x" + chr(233)
t = "é" * 3
f = "🐍"
def g():
    return "ü"
print(sys.getsizeof(e), sys.getsizeof(b), sys.getsizeof(c), sys.getsizeof(d), sys.getsizeof(t), sys.getsizeof(f), sys.getsizeof(g()), sys.getsizeof("ÿ"), sys.getsizeof("Ā"))
