# A tuple's size is a header plus one pointer per item.
import sys
print(sys.getsizeof(()))
print(sys.getsizeof((1,)))
print(sys.getsizeof((1, 2)))
print(sys.getsizeof(tuple(range(10))))
print(sys.getsizeof(([1, 2, 3, 4, 5], "big item")))
