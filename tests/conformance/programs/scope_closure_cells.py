# Closures capture variables (cells), not values; the classic late-binding trap.
fs = []
for i in range(3):
    fs.append(lambda: i)
print([f() for f in fs])
gs = []
for i in range(3):
    gs.append(lambda i=i: i)
print([g() for g in gs])
def make(k):
    return lambda x: x * k
doubles = make(2)
triples = make(3)
print(doubles(5), triples(5))
