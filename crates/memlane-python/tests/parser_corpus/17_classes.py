class A:
    pass


class B(A):
    x = 1

    def method(self):
        return self.x


class C(A, B):
    """Doc."""

    def __init__(self, value):
        self.value = value

    def __repr__(self):
        return f"C({self.value!r})"


class D():
    pass


class E(object):
    class Inner:
        pass


class F(*bases):
    pass
