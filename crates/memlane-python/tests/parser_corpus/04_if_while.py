if x:
    pass
if x:
    a = 1
else:
    a = 2
if x:
    a = 1
elif y:
    a = 2
elif z:
    a = 3
else:
    a = 4
while i < 10:
    i += 1
    if i == 5:
        continue
    if i == 8:
        break
else:
    done = True
while True: break
if a: b = 1; c = 2
if (a and
        b):
    pass
