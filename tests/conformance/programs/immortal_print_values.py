# Exact refcounts of immortal objects as CPython 3.12+ reports them.
import sys
for obj in [None, True, False, (), "", 5]:
    r = sys.getrefcount(obj)
    print(repr(obj), r if r == 4294967295 else "mortal", r > 100)
