# In 3.12+ None, True and False are immortal: their refcount never moves.
import sys
rc = sys.getrefcount(None)
print(rc > 100)
print(rc == 4294967295)
print(sys.getrefcount(True) == 4294967295, sys.getrefcount(False) == 4294967295)
x = None
lst = [None] * 1000
grew = sys.getrefcount(None) - rc
print(grew > 900, grew == 0)
