# An instance whose __hash__ is hash(1) and whose __eq__ says it equals 1 is found under
# the int key 1, and 1 under it (1 == inst tries the instance's __eq__, reflected).
class One:
    def __hash__(self): return hash(1)
    def __eq__(self, other): return other == 1 or isinstance(other, One)
    def __repr__(self): return "One()"
d = {1: "int"}
print(d[One()], One() in d, One() in {1}, 1 in {One()}, 1 in {One(): 0})
d[One()] = "one"
print(d, len({1, One(), True, 1.0}))
s = {One()}
s.add(1)
print(s, {One(): "x", 1: "y"})
