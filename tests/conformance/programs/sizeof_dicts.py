# Dict sizes step up as the hash table is resized.
import sys
d = {}
last = sys.getsizeof(d)
print(0, last)
for i in range(50):
    d[i] = i
    size = sys.getsizeof(d)
    if size != last:
        print(len(d), size)
        last = size
print(sys.getsizeof({"a": 1, "b": 2}))
print(sys.getsizeof(dict(a=1)))
