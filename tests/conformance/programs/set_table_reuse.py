# A set's table: freed slots are reused, pop resumes where it stopped, clear and copies size the table as CPython does.
import sys

s = set(range(50))
for i in range(5):
    s.pop()
s.add(0)
s.add(1)
print(list(s)[:4])
print(s.pop(), s.pop())

t = set(range(50))
for i in range(5):
    t.discard(i)
t.add(3)
t.add(1)
print(list(t)[:4])

a = set(range(19))
print(sys.getsizeof(a), sys.getsizeof(set(a)), sys.getsizeof(a.copy()))
d = set()
d.update(a)
print(sys.getsizeof(d), list(d) == list(a))
print(sys.getsizeof(set({i: i for i in range(19)})))
f = frozenset(range(19))
print(frozenset(f) is f, sys.getsizeof(set(f)))

big = set(range(100))
print(sys.getsizeof(big))
big.clear()
print(sys.getsizeof(big), len(big), big)
fs = frozenset(range(30))
print(sys.getsizeof(fs | {100}), sys.getsizeof(set(fs) | fs))

g = {i * 8 for i in range(40)}
while len(g) > 30:
    g.pop()
g.add(1000)
print(sorted(g)[:3], len(g), g.pop())
