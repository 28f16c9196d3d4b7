# Each generator object keeps its own paused frame and local state.
def numbers():
    total = 0
    for i in range(1, 100):
        total += i
        yield total
a = numbers()
b = numbers()
out = []
for x, y in zip(a, b):
    out.append((x, y))
    if len(out) == 3:
        break
print(out)
for x in a:
    print("a continues", x)
    break
for y in b:
    print("b continues", y)
    break
def pipeline(src):
    for v in src:
        if v % 2:
            yield v * 10
print(list(pipeline(range(7))))
