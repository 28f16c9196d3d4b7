# for/while else runs only when the loop was not broken.
for n in [2, 3, 4, 9, 11]:
    for d in range(2, n):
        if n % d == 0:
            print(n, "=", d, "*", n // d)
            break
    else:
        print(n, "is prime")
i = 0
while i < 5:
    i += 1
    if i == 2:
        continue
    if i == 4:
        break
    print("i", i)
else:
    print("while finished")
while False:
    pass
else:
    print("empty while else")
