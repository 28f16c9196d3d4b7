# A dict lookup hashes the key once and asks `stored == key` of each stored key of its
# hash (CPython holds the stored key meanwhile): get, pop, setdefault, del, popitem.
import sys
class P:
    def __init__(self, x): self.x = x
    def __hash__(self):
        print("hash", self.x)
        return 7
    def __eq__(self, other):
        print("eq", self.x, other.x, sys.getrefcount(self))
        return self.x == other.x
d = {P(1): "a", P(2): "b", P(3): "c"}
print(d.get(P(2)))
print(d.pop(P(3)), d.pop(P(9), "none"))
print(d.setdefault(P(2), "z"), d.setdefault(P(4), "d"))
del d[P(1)]
print(d.popitem()[1], [k.x for k in d])
s = {P(5)}
print(P(5) in s, P(6) in s)
s.discard(P(5))
print(len(s))
