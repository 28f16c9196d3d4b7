# Starred targets collect the leftover items into a new list.
first, *rest = [1, 2, 3, 4]
print(first, rest)
*init, last = "abcd"
print(init, last)
a, *mid, b = (1, 2)
print(a, mid, b)
head, *tail = range(5)
print(head, tail, type(tail).__name__)
try:
    x, y, *z = [1]
except ValueError as e:
    print(e)
merged = rest + init
print(merged, merged is rest)
