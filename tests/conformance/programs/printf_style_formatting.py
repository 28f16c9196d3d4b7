# printf-style formatting, `text % args`: conversions, flags, widths, keys, and errors.
n = 42
print("%d items" % n)
print("%5d|%-5d|%05d|%+d|% d|%.3d" % (n, n, -n, n, n, 7))
print("%x %X %#x %#X %o %#o %x %#.3x" % (255, 255, 255, 255, 8, 8, -255, 5))
print("%#08x|%-#8o|%+08d|" % (255, 8, n))
print("%d %i %u" % (3.7, True, -2.9))
print("%5.2f|%e|%E|%g|%G|%#g|%F" % (3.14159, 12345.678, 0.000123, 0.0001, 1e20, 2.0, float("nan")))
print("%08.3f|%08f|%-8.2f|%+.1f|% .0f|%.0e" % (-3.14159, float("inf"), 2.5, 2.25, 2.5, 2.5))
print("%f %e" % (3, 10**20))
print("%s %r %a" % ("é", "é", "é"))
print("%.2s|%5s|%-5s|%05s|%10.4s|" % ("abc", "ab", "ab", "ab", "abcdefg"))
print("%c%c%5c|" % (65, "b", 66))
print("100%% sure, %s" % "yes")
print("%(name)s is %(age)d" % {"name": "Ada", "age": 36})
print("%*d|%-*.*f|" % (5, 3, 8, 2, 1.5))
print("%s" % ([1, 2],), "%s" % [1, 2], "%s" % (1,), "%s" % None, "hello" % [1])
print("%ld %hd %Lf" % (1, 2, 3.0))
print("%d" % 10**30)


class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def __repr__(self):
        return "Point(%r, %r)" % (self.x, self.y)

    def __str__(self):
        return "(%s, %s)" % (self.x, self.y)


p = Point(1, "a")
print("%s %r" % (p, p))
template = "%s-%s"
pair = ("a", "b")
s = template % pair
print(s, s is template % pair, type(s).__name__)

for fmt, args in [
    ("%d", "x"), ("%d %d", 1), ("%d", (1, 2)), ("%z", 1), ("%z", ()), ("%", 1),
    ("%(a", {}), ("%(a)s", 1), ("%(a)s", {"b": 1}), ("%c", "ab"), ("%c", 1.5),
    ("%c", 0x110000), ("%x", 1.5), ("%*d", ("a", 1)), ("%f", "x"), ("hello", 5),
    ("%d", float("nan")), ("%d", float("inf")), ("%5%", ()), ("%5%", (1,)),
]:
    try:
        print(repr(fmt % args))
    except Exception as e:
        print(type(e).__name__, e)
