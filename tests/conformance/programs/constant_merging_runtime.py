# Values computed at run time are not merged with constants.
a = 1000
b = int("1000")
print(a == b, a is b)
c = 500 + 500
print(a is c)
k = 500
d = k + 500
print(a == d, a is d)
