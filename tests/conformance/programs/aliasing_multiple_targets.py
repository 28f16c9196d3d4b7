# a = b = [] binds both names to one object.
a = b = []
a.append(1)
print(a, b, a is b)
x = y = 5
x += 1
print(x, y)
p, q = [], []
p.append(1)
print(p, q, p is q)
