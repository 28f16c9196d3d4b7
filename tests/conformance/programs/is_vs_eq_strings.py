# Equal strings may or may not be the same object; always compare with ==.
a = "memory lane"
b = "memory " + "lane"
c = " ".join(["memory", "lane"])
print(a == b == c)
print(a is b, a is c)
d = c
print(d is c)
words = "memory lane".split()
print(words[0] == "memory", len(words))
e = "lane"
print(words[1] is e)
