def f():
    pass


def g(a, b):
    return a + b


def h(a, b=2, *args, c, d=4, **kwargs):
    return a, b, args, c, d, kwargs


def posonly(a, b, /, c, d=1, *, e, f=2):
    pass


def star_only(*, key):
    return key


def only_kwargs(**kw):
    return kw


def defaults(a=[], b={}, c=None, d=-1):
    return


def outer():
    x = 1

    def inner(y=x):
        nonlocal x
        x += y
        return x

    return inner


def gen():
    yield
    yield 1
    x = yield 2
    yield from range(3)
    y = yield a, b
    return x


def trailing(a, b,):
    pass


def slash_defaults(a=1, /, b=2):
    pass
