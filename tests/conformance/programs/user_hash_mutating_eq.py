# __eq__ may change the set or dict being searched: CPython starts the lookup again, or
# finds the slot gone. A subclass that defines __eq__ alone is unhashable.
import sys
class A:
    def __hash__(self): return 1
class B(A):
    def __eq__(self, o): return True
try:
    hash(B())
except TypeError as e:
    print("TypeError", e)
s = set()
class M:
    def __init__(self, x): self.x = x
    def __hash__(self): return 3
    def __eq__(self, o):
        s.clear()
        return False
s.add(M(1))
s.add(M(2))
print(len(s), [m.x for m in s], sys.getsizeof(s))
d = {}
class N:
    def __init__(self, x): self.x = x
    def __hash__(self): return 3
    def __eq__(self, o):
        d.clear()
        return False
d[N(1)] = 1
d[N(2)] = 2
print(len(d), [k.x for k in d], sys.getsizeof(d))
t = {M(5)}
u = {M(6), M(7)}
print(len(t | u), len(s))
