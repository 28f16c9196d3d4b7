# A class's __hash__ and __eq__ decide set membership: equal instances are one item,
# `in` finds an equal instance, and the first one added is the one kept.
import sys
class P:
    def __init__(self, x): self.x = x
    def __hash__(self): return hash(self.x)
    def __eq__(self, other): return isinstance(other, P) and self.x == other.x
    def __repr__(self): return "P(" + str(self.x) + ")"
s = {P(1), P(1)}
print(len(s), P(1) in s, P(2) in s)
first = P(5)
s.add(first)
s.add(P(5))
print(len(s), [p is first for p in s if p.x == 5], sys.getrefcount(first))
s.discard(P(5))
print(len(s), sys.getrefcount(first), P(5) in s)
try:
    s.remove(P(7))
except KeyError as e:
    print("KeyError", e)
t = set([P(3), P(1), P(3), P(2)])
print(sorted(p.x for p in t), len(frozenset([P(1), P(1)])), sys.getsizeof(t))
print(hash(P(7)), hash(P(-1)), hash(P(2**64)), hash((P(1), 2)) == hash((1, 2)))
class Q:
    def __hash__(self): return 2**62
print(hash(Q()), len({Q(), Q()}))
