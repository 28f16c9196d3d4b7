# A literal is referenced by the name, the code's constants and the AST arena.
import sys
x = 1000
print(sys.getrefcount(x))
y = 1000
print(sys.getrefcount(x))
s = "a string literal with spaces"
print(sys.getrefcount(s))
f = 2.5
print(sys.getrefcount(f))
