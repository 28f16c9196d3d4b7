for i in range(10):
    print(i)
for i, j in pairs:
    pass
for (a, b) in items:
    pass
for [a, b] in items:
    pass
for a, *b in items:
    pass
for x in 1, 2, 3:
    pass
for obj.attr in things:
    pass
for d[k] in things:
    pass
for i in x:
    pass
else:
    print("no break")
for x, in y:
    pass
for i in range(3):
    for j in range(3):
        if i == j:
            break
    else:
        continue
