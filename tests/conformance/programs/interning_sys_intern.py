# sys.intern returns the canonical copy of a string.
import sys
a = "".join(["not an ", "identifier!"])
b = "".join(["not an ", "identifier!"])
print(a == b, a is b)
ia = sys.intern(a)
ib = sys.intern(b)
print(ia is ib, ia is a, ib is b)
spam = "spam"
x = "".join(["sp", "am"])
print(x is spam, sys.intern(x) is spam)
