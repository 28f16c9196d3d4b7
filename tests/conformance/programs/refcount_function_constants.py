# A constant returned from a function is held by that function's code constants.
import sys
def get():
    return 98765
x = get()
print(sys.getrefcount(x))
y = get()
print(x is y, sys.getrefcount(x))
def build():
    return [98765]
print(build() is build(), build()[0] is x)
