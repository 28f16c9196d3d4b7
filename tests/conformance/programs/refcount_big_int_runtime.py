# A big int computed at run time starts with only the name's reference.
import sys
n = int("12345678901234567890")
print(sys.getrefcount(n))
m = n
lst = [n, m]
print(sys.getrefcount(n))
del m, lst
print(sys.getrefcount(n))
k = 10 ** 30 + len(str(n))
print(sys.getrefcount(k))
