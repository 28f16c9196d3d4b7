# A built-in's method taken from its object is a builtin_function_or_method (72 bytes),
# not a method (64): printing `xs.append` by mistake is a beginner's classic.
import sys
xs = [3, 1, 2]
add = xs.append
print(type(add).__name__, type("a".upper).__name__, type({}.get).__name__)
print(type(add) is type(len), type(add) is type(print))
print(sys.getsizeof(add), sys.getsizeof(len))
print(repr(add).startswith("<built-in method append of list object at 0x"))
print(str({}.get).startswith("<built-in method get of dict object at 0x"))
before = sys.getrefcount(xs)
add(4)
print(xs, sys.getrefcount(xs) - before)
del add
print(sys.getrefcount(xs) - before)

class Box:
    def put(self, v):
        return v

b = Box()
print(type(b.put).__name__, sys.getsizeof(b.put))
print(repr(b.put).startswith("<bound method Box.put of <__main__.Box object at 0x"))
