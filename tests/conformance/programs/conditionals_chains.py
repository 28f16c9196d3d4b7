# Comparison chains, boolean short-circuit and conditional expressions.
x = 5
print(1 < x < 10, 1 < x > 10, 0 <= x <= 5 == 5)
def side(msg, value):
    print("eval", msg)
    return value
print(side("a", False) and side("b", True))
print(side("c", True) or side("d", True))
print(side("e", 0) or side("f", []) or side("g", "last"))
grade = lambda s: "A" if s >= 90 else "B" if s >= 80 else "C"
print([grade(s) for s in (95, 85, 50)])
for v in [0, 7, 15, 100]:
    if v == 0:
        print("zero")
    elif v < 10:
        print("small")
    elif v < 50:
        print("medium")
    else:
        print("large")
