# Case mappings beyond ASCII, as CPython's unicodeobject.c does them: full mappings that
# change a string's length, titlecase letters, and the final sigma.
words = ["straße", "ﬁsh", "İstanbul", "ǆemal", "ǅemal", "ŉ", "ΟΔΟΣ", "όσος", "Σ", "ΑΣ'Α",
         "Α'Σ", "they're bill's", "中a", "hello1world", "ǈ", "ꭰ", "Ꭰ", "ﬃ", "ΐ"]
for w in words:
    print(repr(w), repr(w.upper()), repr(w.lower()), repr(w.title()),
          repr(w.capitalize()), repr(w.swapcase()), len(w.upper()), len(w.lower()))
    print(w.isupper(), w.islower(), w.istitle())
print("ΟΔΟΣ ΟΔΟΣ.".lower())
print("ΣΑΣ".lower(), "ΣΑΣ!".lower(), "Σ-Σ".lower())
print("ǅ".isupper(), "ǅ".islower(), "Aǅ".isupper(), "aǅ".islower())
s = "MIXED Case ǅ"
print(s.swapcase(), s.swapcase().swapcase() == s)
