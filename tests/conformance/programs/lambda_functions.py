# Lambdas are anonymous single-expression functions.
add = lambda a, b=10: a + b
print(add(1), add(1, 2))
compose = lambda f, g: lambda x: f(g(x))
inc = lambda x: x + 1
dbl = lambda x: x * 2
print(compose(inc, dbl)(5), compose(dbl, inc)(5))
ops = {"+": lambda a, b: a + b, "*": lambda a, b: a * b}
print(ops["+"](3, 4), ops["*"](3, 4))
print(sorted([(1, "b"), (0, "c"), (2, "a")], key=lambda p: p[1]))
print((lambda *a, **k: (a, sorted(k)))(1, 2, z=3))
