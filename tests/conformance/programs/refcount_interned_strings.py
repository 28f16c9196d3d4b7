# Interned strings are immortal in 3.12+, but runtime sys.intern results are not in 3.13.
import sys
lit = "zebra_crossing"
r = sys.getrefcount(lit)
print(r)
built = "".join(["quokka", "_", "island"])
print(sys.getrefcount(built))
canon = sys.intern(built)
print(canon is built)
r2 = sys.getrefcount(built)
print(r2)
spaced = "has spaces in it"
print(sys.getrefcount(spaced))
