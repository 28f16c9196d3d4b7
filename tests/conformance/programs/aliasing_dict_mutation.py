# Mutating a dict through an alias, and copying it breaks the alias.
d = {"x": 1}
e = d
e["y"] = 2
print(d)
f = dict(d)
f["z"] = 3
print(d)
print(f)
print(d is e, d is f, d == e)
del e["x"]
print(d, len(d))
