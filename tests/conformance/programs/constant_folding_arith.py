# The compiler folds constant expressions into single constants.
a = 999 + 1
b = 1000
print(a is b)
c = 2 ** 10
d = 1024
print(c is d, c)
e = 10 * 100
print(e is b)
f = -1000
g = -1000
print(f is g)
