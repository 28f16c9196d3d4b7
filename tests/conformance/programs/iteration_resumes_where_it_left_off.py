# An iterator resumes where it left off: past a dict's deleted entries, a set's emptied slots, a str's multi-byte characters, and the refcounts each item takes.
import sys
d = {k: k * k for k in range(12)}
for k in [1, 4, 5, 9]:
    del d[k]
print(list(d), list(d.values()), list(d.items())[:3])
it = iter(d)
print(next(it), next(it), list(it))
s = {n for n in range(20)}
for n in range(0, 20, 3):
    s.discard(n)
print(sorted(s), len(s), sum(1 for _ in s))
word = "naïve café ☕ x"
print([c for c in word], len(list(iter(word))))
xs = [10, 20]
for x in xs:
    if len(xs) < 5:
        xs.append(x + 1)
print(xs, list(reversed(xs)))
big = list(range(300, 310))
holder = iter(big)
print(sys.getrefcount(big), next(holder), sys.getrefcount(big))
del holder
print(sys.getrefcount(big))
try:
    for k in d:
        d[k + 100] = 0
except RuntimeError as e:
    print("RuntimeError:", e)
t = {1, 2, 3}
print(t | {4}, t & {2, 3, 9}, t - {1}, t ^ {3, 5}, {*t, *range(2)}, frozenset(range(3)) | t)
