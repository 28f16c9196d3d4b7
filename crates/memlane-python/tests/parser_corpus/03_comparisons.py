a < b
a < b <= c
a == b != c
a > b >= c
a is b
a is not b
a in b
a not in b
a < b < c < d < e
x = 1 < 2 == 3 > 0
not a == b
(a < b) == (c < d)
a is not None and b is None
if x in [1, 2, 3] and y not in {4, 5}:
    pass
