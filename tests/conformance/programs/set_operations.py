# Sets of ints: union, intersection, difference, membership (printed sorted).
a = {1, 2, 3, 4}
b = {3, 4, 5}
print(sorted(a | b), sorted(a & b), sorted(a - b), sorted(a ^ b))
print(3 in a, 9 in a, len(a))
a.add(10)
a.discard(1)
a.discard(99)
print(sorted(a))
print({1, 2} <= {1, 2, 3}, {1, 2} < {1, 2}, set() == set())
print(sorted(set("mississippi")))
s = {0}
s.update([7, 8])
print(sorted(s), s.pop() in {0, 7, 8})
print({3, 1, 2})
