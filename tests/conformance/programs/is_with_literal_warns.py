# `is` or `is not` with a literal (after constant folding) is a SyntaxWarning at compile
# time, on stderr before the program runs; None, True, False and ... are not literals here.
x = 256
y = x
print(x is 256, 100 is 50 + 50, y is not "a", x is None, x is (), 1 < x is 2)
print(x is y, x is ..., "a" is not None)
def f(v):
    return v is 1.5
print(f(1.5), [v is 0 for v in range(1)])
if x is 257 or x is 258:
    print("no")
