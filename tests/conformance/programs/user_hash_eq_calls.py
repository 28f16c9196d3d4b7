# How often CPython calls __eq__ and __hash__: only for a stored key of the same hash
# that is not the object itself; merging sets and dicts reuses the stored hashes.
class P:
    def __init__(self, x, h): self.x, self.h = x, h
    def __hash__(self):
        print("hash", self.x)
        return self.h
    def __eq__(self, other):
        print("eq", self.x, other.x)
        return self.x == other.x
a, b, c = P("a", 1), P("b", 1), P("c", 2)
s = {a, b, c}
print("built")
print(a in s, b in s, P("b", 1) in s, P("d", 1) in s)
d = {a: 1, b: 2}
print("dict")
print(d[P("b", 1)], P("c", 2) in d)
print("union")
u = s | {P("e", 1)}
print("intersection")
i = s & {b, P("c", 2)}
print("difference")
r = s - {P("a", 1)}
print("equal", s == {a, b, c}, s <= u)
print("merge")
m = dict(d)
m.update(d)
print("order", [p.x for p in u], [p.x for p in i], [p.x for p in r], [k.x for k in m])
