# Tuples of constants are folded into a single constant.
a = (1, 2, 3)
b = (1, 2, 3)
print(a is b)
c = (1, 2) + (3,)
print(c == a, c is a)
x = 3
d = (1, 2, x)
print(d == a, d is a)
e = tuple([1, 2, 3])
print(e == a, e is a)
