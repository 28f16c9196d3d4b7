pass
del x
del x, y
del a[0], b.c
del (a, b)
del [a, b]
assert x
assert x, "message"
raise
raise ValueError
raise ValueError("bad")
x = 1; y = 2; z = 3;
...
print(...)
a = None
b = True
c = False
def f(): return
def g(): return 1, 2
