# Set operators on dict keys and items views (&, |, -, ^, either side), as dictobject.c:
# the result is a new set, in the order CPython's algorithm fills it.
import sys
d = {i: str(i) for i in range(6)}
e = {i: i for i in range(3, 9)}
k = d.keys()
print(k & {1, 2, 99}, k & [5, 4, 99], {1, 2} & k, k & e.keys(), e.keys() & k)
print(k | {10}, [7] and k | [7], {10} | k, k - {0, 1}, {0, 1, 50} - k, k ^ {0, 100}, {0, 100} ^ k)
print(d.items() & {(1, "1"), (2, "x")}, e.items() - {(3, 3)}, e.items() ^ {(4, 4), (0, 0)}, sorted(d.items() | {(9, "9")}))
print(type(k & {1}).__name__, sys.getsizeof(k | {10}), sys.getsizeof(k & e.keys()), sys.getsizeof(k - {0}))
for bad in (lambda: k & 5, lambda: d.values() & {1}, lambda: k | 3):
    try:
        bad()
    except TypeError as err:
        print("TypeError", err)
big = {i: i for i in range(100)}
print(sorted(big.keys() & {3, 4}), len(big.keys() - set(range(50))), big.keys() & big.keys() == set(big))
