# Dicts whose keys are all str use a more compact table than mixed keys.
import sys
a = {}
b = {}
for i in range(12):
    a[str(i)] = i
    b[i] = i
    if i in (0, 4, 5, 10, 11):
        print(len(a), sys.getsizeof(a), sys.getsizeof(b))
b["x"] = 1
a[0] = 1
print(sys.getsizeof(a), sys.getsizeof(b))
print(sys.getsizeof({}), sys.getsizeof(dict()))
