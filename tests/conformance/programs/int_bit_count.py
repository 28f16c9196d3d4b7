# int.bit_count (3.10+) beside bit_length, on negative, big and bool values.
for n in [0, 1, 7, 255, -255, 2**100 - 1, -(2**64), True, False]:
    print(n, n.bit_count(), n.bit_length(), bin(n).count("1"))
f = (12).bit_count
print(f(), type(f).__name__)
try:
    (5).bit_count(1)
except TypeError as e:
    print(e)
try:
    (5).bit_length(1)
except TypeError as e:
    print(e)
print(True.bit_length(), int.bit_length(True), int.bit_count(7))
try:
    int.bit_count("7")
except TypeError as e:
    print(e)
try:
    (2.0).is_integer(1)
except TypeError as e:
    print(e)
