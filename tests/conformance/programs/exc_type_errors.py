# TypeError messages for bad operand types and bad calls.
def f(a, b):
    return a + b
nothing = None
tests = [
    lambda: "a" + 1,
    lambda: [1] + (2,),
    lambda: 3 < "x",
    lambda: f(1),
    lambda: f(1, 2, 3),
    lambda: f(1, c=2),
    lambda: nothing(),
    lambda: {}[[]],
    lambda: "abc" * 2.0,
    lambda: -"x",
]
for t in tests:
    try:
        t()
    except TypeError as e:
        print(e)
