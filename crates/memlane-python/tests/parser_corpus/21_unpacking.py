a, b = b, a
a, (b, c) = 1, (2, 3)
first, *middle, last = values
[a, *b] = c
(*a, b) = c
x = [*a, *b]
y = (*a, *b)
z = {*a, *b}
d = {**a, **b}
e = {"k": 1, **other}
f(*a, *b)
print(*args, sep="")
t = *a, b
for a, *b in c:
    pass
