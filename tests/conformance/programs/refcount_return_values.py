# Returning an object hands the caller the function's reference.
import sys
def build():
    result = [0] * 4
    return result
def passthrough(o):
    return o
x = build()
print(sys.getrefcount(x))
y = passthrough(x)
print(sys.getrefcount(x))
print(sys.getrefcount(passthrough(x)))
print(sys.getrefcount(build()))
