# Calling a function adds references for the parameter while it runs.
import sys
def show(obj):
    return sys.getrefcount(obj)
def show2(obj):
    alias = obj
    return sys.getrefcount(obj)
x = [0]
print(sys.getrefcount(x))
print(show(x))
print(show2(x))
print(sys.getrefcount(x))
