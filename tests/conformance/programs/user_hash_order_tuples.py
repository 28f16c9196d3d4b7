# Set order follows the hashes a class's __hash__ returns, as for ints; a tuple's hash
# combines its items' hashes, so tuples of such instances match equal tuples.
import sys
class H:
    def __init__(self, v): self.v = v
    def __hash__(self): return self.v
    def __eq__(self, other): return isinstance(other, H) and self.v == other.v
    def __repr__(self): return "H" + str(self.v)
s = set()
for v in (17, 3, 9, 33, 1, 25, 8, 64, 100, 12):
    s.add(H(v))
print(s, sys.getsizeof(s))
print({H(9), H(1), H(17)}, {x for x in (H(40), H(8), H(24))})
s.discard(H(33))
s.add(H(41))
print(s, sys.getsizeof(s))
pairs = {(H(1), 2), (H(1), 2), (H(2), "x")}
print(len(pairs), (H(1), 2) in pairs, (H(3), 2) in pairs, hash((H(5), 6)) == hash((5, 6)))
d = {(H(1), H(2)): "a"}
d[(H(1), H(2))] = "b"
print(d, d[(H(1), H(2))], frozenset({H(4)}) == frozenset({H(4)}))
big = {H(i * 8) for i in range(40)}
print(len(big), sys.getsizeof(big), [h.v for h in big][:12])
