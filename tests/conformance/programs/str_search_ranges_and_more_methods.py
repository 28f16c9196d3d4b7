# str.find/rfind/index/rindex/count with start and end, rpartition, istitle, isascii,
# isdecimal, removeprefix/removesuffix and expandtabs.
s = "Hello, World, Hello"
print(s.find("Hello", 1), s.find("o", 5, 10), s.rfind("Hello", 0, 10), s.index("World", -20), s.rindex("l"), s.count("l", 3), s.count("", 2, 5), s.count("", 30), s.find("", 30), s.find("", 19))
print(s.find("H", -3), s.find("x"), s.count("l", -5, -1), s.find("l", None, 5), "aaa".count("a", 1, 0), "aaa".find("", 2, 1))
for bad in (lambda: s.rindex("zz"), lambda: s.index("H", 1, 5), lambda: s.partition(""), lambda: s.find()):
    try:
        bad()
    except (ValueError, TypeError) as e:
        print(type(e).__name__, e)
print(s.rpartition(", "), s.rpartition("zz"), s.partition("zz")[0] is s, s.rpartition("zz")[2] is s)
print("Hello World".istitle(), "Hello world".istitle(), "HELLO".istitle(), "".istitle(), "A1 B2".istitle(), "ǅungla".istitle())
print("abc".isascii(), "é".isascii(), "".isascii(), "123".isdecimal(), "½".isdecimal(), "١٢".isdecimal(), "".isdecimal())
print("test_x".removeprefix("test_"), "x.py".removesuffix(".py"), "abc".removeprefix(""), "abc".removeprefix("abc"), "abc".removesuffix("zz"))
t = "abc"
print(t.removeprefix("zz") is t, t.removesuffix("") is t)
print(repr("a\tb\tcd\te".expandtabs()), repr("a\tb".expandtabs(4)), repr("12345\t|\n\tx\r\ty".expandtabs(3)), repr("a\tb".expandtabs(0)))
try:
    "a".find(1, 2, 3, 4)
except TypeError as e:
    print(e)
