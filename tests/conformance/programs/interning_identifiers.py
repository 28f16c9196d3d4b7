# Identifier-like string literals are interned; others are merged only per unit.
a = "hello"
b = "hel" + "lo"
print(a is b)
c = "".join(["hel", "lo"])
print(c == a, c is a)
d = "hello world"
e = "hello world"
print(d is e)
def f():
    return "hello"
print(f() is a)
