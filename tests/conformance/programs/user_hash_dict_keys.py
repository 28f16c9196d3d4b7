# Instances as dict keys: a class's __hash__ and __eq__ make equal instances one key;
# storing again keeps the first key object and replaces the value.
import sys
class K:
    def __init__(self, name): self.name = name
    def __hash__(self): return len(self.name)
    def __eq__(self, other): return isinstance(other, K) and self.name == other.name
    def __repr__(self): return "K(" + self.name + ")"
a = K("ab")
d = {a: 1}
d[K("ab")] = 2
d[K("cd")] = 3
print(d, [k is a for k in d], len(d))
print(d[K("cd")], K("ab") in d, K("zz") in d, d.get(K("ab")), d.get(K("x"), "none"))
del d[K("ab")]
print(d, sys.getrefcount(a))
print(d.pop(K("cd")), d.pop(K("cd"), "gone"), d.setdefault(K("ef"), 7), d.setdefault(K("ef"), 8))
d2 = {K(str(i)): i for i in range(5)}
d2.update({K("3"): 30, K("9"): 90})
print(d2, sys.getsizeof(d2))
print(dict([(K("x"), 1), (K("x"), 2)]), dict(d2) == d2, {K("q"): 1} == {K("q"): 1})
try:
    print(d2[K("nope")])
except KeyError as e:
    print("KeyError", e)
