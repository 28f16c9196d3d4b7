# pop shrinks the allocation once the list is less than half full.
import sys
lst = list(range(40))
lst.append(0)
last = sys.getsizeof(lst)
print(len(lst), last)
while lst:
    lst.pop()
    size = sys.getsizeof(lst)
    if size != last:
        print(len(lst), size)
        last = size
lst.clear()
print(sys.getsizeof(lst))
