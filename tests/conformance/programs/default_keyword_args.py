# Positional, keyword, default, *args and **kwargs parameters.
def f(a, b=2, *args, **kwargs):
    return (a, b, args, sorted(kwargs.items()))
print(f(1))
print(f(1, 3))
print(f(1, 3, 4, 5))
print(f(1, x=9, y=8))
print(f(b=7, a=6))
def g(*parts, sep="-"):
    return sep.join(parts)
print(g("a", "b", "c"), g("a", "b", sep="+"))
args = [1, 2, 3]
opts = {"z": 0}
print(f(*args, **opts))
