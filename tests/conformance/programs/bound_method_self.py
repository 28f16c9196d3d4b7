# A bound method holds its function and its object (`__func__`, `__self__`); a built-in's
# holds its object, and a class method its class.
import sys
class Counter:
    def tick(self):
        return self
c = Counter()
m = c.tick
print(m.__self__ is c, m.__func__ is Counter.tick, m() is c, m.__name__, m.__class__.__name__)
before = sys.getrefcount(c)
m2 = c.tick
print(sys.getrefcount(c) - before)
del m2
xs = [1]
a = xs.append
print(a.__self__ is xs, {}.fromkeys.__self__ is dict)
try:
    a.__func__
except AttributeError as e:
    print(e)
try:
    m.__name2__
except AttributeError as e:
    print(e)
