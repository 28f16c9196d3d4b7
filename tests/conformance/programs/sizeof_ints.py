# An int's size grows by one 30-bit digit at a time.
import sys
for n in [0, 1, 255, 2 ** 30 - 1, 2 ** 30, 2 ** 60, 2 ** 90, -1, -(2 ** 31), 10 ** 100]:
    print(n, sys.getsizeof(n))
print(sys.getsizeof(True), sys.getsizeof(False))
