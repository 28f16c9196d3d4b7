# A ring of lists: gc.collect() reports how many unreachable objects it freed.
import gc
gc.collect()
ring = [[] for _ in range(5)]
for i in range(5):
    ring[i].append(ring[(i + 1) % 5])
head = ring[0]
del ring
print(gc.collect())
del head
print(gc.collect())
