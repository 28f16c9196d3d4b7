# pow with a modulus: modular powers, inverses for negative exponents, and the errors.
for a in [(2, 10, 7), (2, -1, 7), (38, -1, 97), (2, 3, -5), (-2, 3, 5), (0, 0, 1), (5, 0, 1), (True, 2, 3), (2, -1, 1), (3, 200, 10**9 + 7), (2, 5, None)]:
    print(a, pow(*a))
for a in [(2, 3, 0), (2, -1, 4), (2.0, 3, 5), (2, 3, 5.0), ("a", 2, 3)]:
    try:
        print(pow(*a))
    except Exception as e:
        print(type(e).__name__, e)
