# Default values are evaluated when def runs, not when the function is called.
x = 10
def f(a=x):
    return a
x = 20
print(f(), f(5), x)
def counter(n=0, seen={}):
    seen[n] = seen.get(n, 0) + 1
    return seen
print(counter(), counter(1), counter())
print(len(counter(2)))
