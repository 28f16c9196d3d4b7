# Nested while loops and the collatz sequence.
def collatz(n):
    steps = 0
    while n != 1:
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        steps += 1
    return steps
print([collatz(k) for k in range(1, 11)])
row = 1
while row <= 4:
    col = 1
    line = []
    while col <= row:
        line.append(row * col)
        col += 1
    print(line)
    row += 1
