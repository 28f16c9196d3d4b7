# x *= n repeats a list in place: the same object, resized with list_resize's spare room; x = x * n makes a new, exact-sized list.
import sys

for n in (0, 1, 2, 3, 5):
    x = [3, 1, 2]
    alias = x
    x *= n
    print(n, x is alias, len(x), sys.getsizeof(x))
y = [3, 1, 2]
z = y * 2
print(z is y, sys.getsizeof(z))
w = []
w *= 4
print(sys.getsizeof(w))
