# Deleting keys does not shrink a dict; clear() returns it to the empty size.
import sys
d = {i: i for i in range(100)}
full = sys.getsizeof(d)
for i in range(99):
    del d[i]
print(len(d), sys.getsizeof(d) == full)
d.clear()
print(len(d), sys.getsizeof(d))
d["a"] = 1
print(sys.getsizeof(d))
