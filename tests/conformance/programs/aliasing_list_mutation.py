# Two names bound to one list see each other's mutations.
a = [1, 2, 3]
b = a
b.append(4)
print(a)
print(a is b, a == b)
c = a[:]
c.append(5)
print(a, c)
print(a is c, a == c[:4])
