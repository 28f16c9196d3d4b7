# repr of strings picks quotes and escapes special characters.
s = "it's"
t = 'say "hi"'
u = "both ' and \""
print(s, t, u)
print(repr(s), repr(t), repr(u))
print(repr("tab\there"), repr("new\nline"), repr("back\\slash"))
print(["a\nb", "c'd"])
print(repr(""), repr(" "), len("\t\n\\"))
print("caf\u00e9", repr("\x00\x7f"), repr(chr(200)))
print(str("x"), repr(repr("x")))
