global counter
counter = 0


def increment():
    global counter
    counter += 1


def make():
    total = 0

    def add(n):
        nonlocal total
        total += n
        return total

    return add


def several():
    global a, b, c
    a = b = c = 0
