# A comprehension's loop variable does not leak into the enclosing scope.
x = "outer"
result = [x for x in range(3)]
print(result, x)
y = 10
adds = [y + i for i in range(3)]
print(adds)
nested = [[j for j in range(i)] for i in range(4)]
print(nested)
print([c.upper() for c in "abc" if c != "b"])
print([i if i % 2 else -i for i in range(5)])
