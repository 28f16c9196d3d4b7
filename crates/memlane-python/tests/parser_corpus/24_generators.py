def numbers(n):
    i = 0
    while i < n:
        yield i
        i += 1


def delegate():
    yield from numbers(3)
    result = yield from other()
    return result


def pairs():
    yield 1, 2
    x = (yield)
    y = yield
    z = [(yield v)] if False else None
    print((yield 5))
