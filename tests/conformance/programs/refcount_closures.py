# A closure keeps its captured object alive through a cell.
import sys
def make():
    data = [1, 2, 3]
    def get():
        return data
    return get, data
g, d = make()
print(sys.getrefcount(d))
g2 = g
print(sys.getrefcount(d))
del g
print(sys.getrefcount(d))
del g2
print(sys.getrefcount(d))
print(len(d))
