# A suspended generator's frame keeps its locals alive until it finishes.
import sys
def walker(items):
    for it in items:
        yield len(items)
data = [[1], [2], [3]]
print(sys.getrefcount(data))
g = walker(data)
print(sys.getrefcount(data))
for n in g:
    print("step", n, sys.getrefcount(data))
    break
for n in g:
    pass
print(sys.getrefcount(data))
del g
print(sys.getrefcount(data))
