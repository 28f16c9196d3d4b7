a = 5
b = 5
print(a is b)
n = 200
c = n + 57
d = n + 57
print(c == d, c is d)
