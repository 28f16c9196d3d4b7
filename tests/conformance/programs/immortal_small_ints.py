# Small ints are immortal in 3.12+; in 3.11 their counts move with use.
import sys
print(sys.getrefcount(0) > 100)
print(sys.getrefcount(200) > 2)
r = sys.getrefcount(100)
print(r if r == 4294967295 else "mortal")
before = sys.getrefcount(77)
xs = [77] * 10
after = sys.getrefcount(77)
print(after - before)
