# Unpacking binds names to the same objects; starred lists are new.
import sys
inner = [0]
pair = (inner, inner)
a, b = pair
print(a is inner, b is inner)
first, *others = [inner, inner, inner]
print(others[0] is inner, len(others))
print(sys.getrefcount(inner))
