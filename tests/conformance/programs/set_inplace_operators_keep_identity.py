# s |= t changes the set in place, so every name for it sees the change; a frozenset or a plain | makes a new object.
import sys

s = {1}
alias = s
s |= {2}
print(s is alias, alias)
s &= {2, 3}
print(s is alias, alias)
s ^= {5}
print(s is alias, alias)
s -= {2}
print(s is alias, alias, sys.getrefcount(s))

s = s | {9}
print(s is alias, alias, s)

d = {1: 'a'}
same = d
d |= {2: 'b'}
print(d is same, same)
d |= [(3, 'c'), ('k', 'v')]
print(d is same, same)
for bad in ([(1, 2), (3,)], 5, [1]):
    try:
        d |= bad
    except Exception as e:
        print(type(e).__name__, e)
try:
    d | [(1, 2)]
except TypeError as e:
    print(e)

f = frozenset({1})
g = f
f |= {2}
print(f is g, sorted(f), sorted(g))

xs = [1]
ys = xs
xs += (2, 3)
print(xs is ys, ys)
d={}
try:
    d.update([(1,2),(3,)])
except ValueError as e:
    print(e)
try:
    dict([(1,2), 5])
except TypeError as e:
    print(e)
