def f():
    return


def g():
    return None


def h(x):
    if x:
        return x
    return -x


def i():
    return 1, 2, 3


def j():
    yield


def k():
    return (yield)


def l():
    x = yield 1
    return x


def m():
    return *a, b
