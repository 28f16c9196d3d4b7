# a leading comment

x = 1  # trailing comment
# between


def f():
    # inside
    return x  # after

    # after a blank line


class A:

    # comment in class
    y = 2
        # odd indentation of a comment
    z = 3
