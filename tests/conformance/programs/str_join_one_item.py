# str.join of one str item returns that very object, from a list or from a generator
# (which can be read only once).
import sys
word = "memlane" * 3
print(" ".join([word]) is word, ", ".join((word,)) is word)
joined = "-".join(w for w in [word])
print(joined is word, sys.getrefcount(word))
print(" ".join(f"{k}={v}" for k, v in {"a": 1}.items()))
print("+".join(str(i) for i in range(1)), "+".join(x for x in []), repr("".join(iter(["a"]))))
