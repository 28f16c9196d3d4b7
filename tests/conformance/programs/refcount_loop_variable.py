# A for loop's iteration holds references while it runs.
import sys
items = [[i] for i in range(3)]
first = items[0]
print(sys.getrefcount(first))
for it in items:
    pass
print(sys.getrefcount(first), sys.getrefcount(it))
for it in items:
    print(sys.getrefcount(it))
copies = [x for x in items]
print(sys.getrefcount(first))
