# += mutates a list in place but rebinds a tuple or int.
a = [1, 2]
b = a
a += [3]
print(a, b, a is b)
t = (1, 2)
u = t
t += (3,)
print(t, u, t is u)
n = 10
m = n
n += 1
print(n, m)
