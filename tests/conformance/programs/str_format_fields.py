# str.format: fields by position, number and keyword, .attr and [key], conversions,
# nested specs and CPython's errors; the numbers' real, imag, numerator, denominator.
tests = [("{} {:>4} {name}", (1, 2), {"name": "n"}), ("{0}{1}{0}", ("a", "b"), {}), ("{0!r:>6}|{0!s}|{0!a}", ("é",), {}),
         ("{0[1]} {0[k]} {1.real} {1.imag}", ({1: "x", "k": "y"}, 3), {}), ("{:{w}.{p}f}|", (3.14159,), {"w": 8, "p": 2}),
         ("{{}} {}", (1,), {}), ("{:>{}}|", ("ab", 5), {}), ("{0[0][1]}", ([[1, 2]],), {}), ("{x!r}", (), {"x": [1]}),
         ("{:%}|{:,}|{:_x}", (0.5, 10**6, 255), {}), ("{0.__class__.__name__}", (1.5,), {})]
for f, a, k in tests:
    print(repr(f.format(*a, **k)))
errs = [("{} {0}", (1, 2), {}), ("{0} {}", (1, 2), {}), ("{", (), {}), ("}", (), {}), ("{2}", (1,), {}), ("{x}", (), {}),
        ("{!z}", (1,), {}), ("{0!}", (1,), {}), ("{0!rx}", (1,), {}), ("{0[}", (1,), {}), ("{0.}", (1,), {}),
        ("{0[0]x}", ([1],), {}), ("{:{:{}}}", (1, 2, 3), {}), ("x}y", (), {}), ("{0:d}", ("s",), {}), ("{0[5]}", ([1],), {})]
for f, a, k in errs:
    try:
        print(repr(f.format(*a, **k)))
    except Exception as e:
        print(type(e).__name__, e)
x = 1000
f = 2.5
print(x.real is x, x.imag, x.numerator is x, x.denominator, f.real is f, f.imag, True.real, True.imag, type(True.real).__name__)
print("{0.real}-{0.imag}|{1.numerator}/{1.denominator}".format(f, 7))
