# An instance referring to itself: collect() counts the freed objects.
import gc
gc.collect()
class Node:
    pass
n = Node()
n.me = n
del n
print(gc.collect())
m = Node()
del m
print(gc.collect())
