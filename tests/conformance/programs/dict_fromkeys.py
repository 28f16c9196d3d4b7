# dict.fromkeys: a dict's keys or a set's items go into a table sized for them first (a
# set's as a general table, so str keys take more room); anything else key by key.
import sys
for n in [0, 1, 3, 5, 6, 8, 11, 12, 20, 100]:
    s = set(range(n))
    d = dict.fromkeys(s)
    d2 = dict.fromkeys(list(range(n)))
    d3 = dict.fromkeys(dict.fromkeys(range(n)))
    d4 = dict.fromkeys({str(i) for i in range(n)})
    d5 = dict.fromkeys([str(i) for i in range(n)])
    print(n, sys.getsizeof(d), sys.getsizeof(d2), sys.getsizeof(d3), sys.getsizeof(d4), sys.getsizeof(d5))
zero = []
counts = dict.fromkeys("banana", 0)
print(counts, {}.fromkeys((1, 2), zero)[2] is zero, sys.getrefcount(zero))
print(dict.fromkeys(range(3), "x"), dict.fromkeys([]), dict.fromkeys("aab"))
for bad in [(), (1, 2, 3)]:
    try:
        dict.fromkeys(*bad)
    except TypeError as e:
        print(e)
try:
    dict.fromkeys([[1]])
except TypeError as e:
    print(e)
try:
    dict.fromkeys(5)
except TypeError as e:
    print(e)
f = {}.fromkeys
print(f("ab"), type(f).__name__)
print(repr(f).startswith("<built-in method fromkeys of type object at 0x"))
