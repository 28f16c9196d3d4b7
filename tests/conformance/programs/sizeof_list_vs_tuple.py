# Lists built different ways have different capacities; tuples are exact.
import sys
print(sys.getsizeof([1, 2, 3, 4, 5]), sys.getsizeof((1, 2, 3, 4, 5)))
print(sys.getsizeof(list(range(5))), sys.getsizeof([i for i in range(5)]))
print(sys.getsizeof([0] * 5), sys.getsizeof(tuple(range(5))))
a = [1, 2, 3, 4, 5]
a.append(6)
print(sys.getsizeof(a))
b = a[:]
print(sys.getsizeof(b), sys.getsizeof(a + []))
