# Common str methods return new strings; the original never changes.
s = "  Hello, World  "
print(repr(s.strip()), repr(s.lstrip()), repr(s.rstrip()))
t = s.strip()
print(t.lower(), t.upper(), t.swapcase(), t.title())
print(t.replace("l", "L"), t.replace("l", "L", 1))
print(t.split(", "), "a,b,,c".split(","), "a b  c".split())
print("-".join(["x", "y", "z"]), "".join(reversed("abc")))
print(t.startswith("Hell"), t.endswith("!"), t.find("o"), t.find("z"), t.count("o"))
print(t.index("W"), "abc".isalpha(), "123".isdigit(), "a1".isalnum())
print("x".center(5, "*"), "7".zfill(3), "ab".ljust(4, ".") + "|")
print(repr(s), len(s))
