# Unbounded recursion raises RecursionError, which can be caught.
import sys
print(sys.getrecursionlimit())
depth = 0
def dive():
    global depth
    depth += 1
    dive()
try:
    dive()
except RecursionError as e:
    print(type(e).__name__, e)
    print(depth > 500, depth <= 1000)
print("still running")
