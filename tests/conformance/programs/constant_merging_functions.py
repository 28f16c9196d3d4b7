# Equal constants are merged across a whole compilation unit, even across functions.
x = 12345
def f():
    return 12345
def g():
    return 12345
print(f() is g())
print(f() == x)
print(f() is f())
def h():
    a = 99999
    b = 99999
    return a is b
print(h())
