# A frozenset cannot change: copy() hands back the same object (one more reference), while union and the rest build a new frozenset, and add does not exist.
import sys
f = frozenset(range(3))
before = sys.getrefcount(f)
g = f.copy()
print(g is f, sys.getrefcount(f) - before)
print(f.union() is f, f.intersection() is f, f.difference() is f)
print(type(f.union({1})).__name__, type({1}.union(f)).__name__, type(f.difference([1])).__name__)
print(type(f | {9}).__name__, type({9} | f).__name__, type(f & f).__name__, type(f - {0}).__name__)
print(sorted(f.union({5}, [7])), sorted(f.intersection([1, 2, 9])), f.issubset(range(5)), f.issuperset([0]))
del g
print(sys.getrefcount(f) - before)
try:
    f.add(3)
except AttributeError as e:
    print("AttributeError:", e)
