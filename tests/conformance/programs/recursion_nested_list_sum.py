# Recursion over nested lists.
def total(x):
    if isinstance(x, list):
        return sum(total(i) for i in x)
    return x
def depth(x):
    if not isinstance(x, list):
        return 0
    best = 0
    for i in x:
        best = max(best, depth(i))
    return 1 + best
data = [1, [2, 3], [[4], [5, [6, 7]]], []]
print(total(data), depth(data))
print(depth([]), depth(5))
