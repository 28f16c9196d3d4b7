# Floats built at run time are distinct objects even when equal.
a = float("1.5")
b = float("1.5")
print(a == b, a is b)
c = a
print(c is a)
print(0.1 + 0.2 == 0.3, abs(0.1 + 0.2 - 0.3) < 1e-9)
print(float("nan") == float("nan"))
n = float("nan")
print(n == n, n is n, [n] == [n])
