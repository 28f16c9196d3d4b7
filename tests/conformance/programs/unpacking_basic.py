# Tuple unpacking, swaps and nested targets.
a, b = 1, 2
a, b = b, a
print(a, b)
(x, y), z = (3, 4), 5
print(x, y, z)
for i, (k, v) in enumerate([("a", 1), ("b", 2)]):
    print(i, k, v)
p, q, r = "xyz"
print(p, q, r)
try:
    m, n = [1, 2, 3]
except ValueError as e:
    print(type(e).__name__, e)
