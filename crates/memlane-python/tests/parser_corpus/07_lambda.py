f = lambda: 0
g = lambda x: x * 2
h = lambda x, y=1, *a, z, **k: (x, y, a, z, k)
i = lambda *, k: k
j = lambda a, /, b: a + b
k = lambda x: lambda y: x + y
m = sorted(items, key=lambda p: p[1])
n = (lambda: (yield))
o = lambda *args: args
