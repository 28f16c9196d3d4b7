# Set sizes step up as the hash table grows.
import sys
s = set()
last = sys.getsizeof(s)
print(0, last)
for i in range(40):
    s.add(i)
    size = sys.getsizeof(s)
    if size != last:
        print(len(s), size)
        last = size
print(sys.getsizeof({1, 2, 3}))
print(sys.getsizeof(set(range(100))))
