# Floats are a fixed size regardless of value; so are None and bools.
import sys
print(sys.getsizeof(0.0), sys.getsizeof(1e300), sys.getsizeof(-2.5))
print(sys.getsizeof(float("inf")))
print(sys.getsizeof(None))
print(sys.getsizeof(True))
print(sys.getsizeof(object()))
