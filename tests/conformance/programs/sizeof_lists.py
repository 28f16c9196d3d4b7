# A list's size is a header plus its allocated pointer slots.
import sys
print(sys.getsizeof([]))
print(sys.getsizeof([1]))
print(sys.getsizeof([1, 2, 3]))
print(sys.getsizeof([0] * 10))
print(sys.getsizeof(list(range(10))))
print(sys.getsizeof([x for x in range(10)]))
