# Arithmetic results land in the small-int cache when in range.
x = 200
y = x + 56
z = 255 + int("1")
print(y is z)
big1 = x + 57
big2 = x + int("57")
print(big1 == big2, big1 is big2)
n = 0
for i in range(300):
    n += 1
m = int("300")
print(n == m, n is m)
print(len([0] * 10) is 10 - int("0"))
