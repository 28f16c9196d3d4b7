# Python ints are arbitrary precision.
print(2 ** 100)
print(-(2 ** 64), 10 ** 20 // 3)
print(hex(255), hex(-42), hex(2 ** 40))
print(int("  42  "), int("-0"), int("1_000"))
print(abs(-7), 17 // 5, 17 % 5, -17 // 5, -17 % 5)
print(max(3, 9, 2), min([4, 1, 8]), sum(range(101)))
print(7 ** 0, 0 ** 0, 2 ** -1)
