def outer(a, b=1, *args, key=None, **kw):
    def middle(c, *, d=2):
        def inner(e=lambda x=1: x):
            return a + c + e()
        return inner
    return middle


def counter():
    count = 0

    def step():
        nonlocal count
        count += 1
        return count

    return step


def recursive(n):
    if n <= 1:
        return 1
    return n * recursive(n - 1)
