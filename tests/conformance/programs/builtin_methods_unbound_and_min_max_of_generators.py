# A built-in type's methods read off the type (str.lower as a key, list.append(xs, v)),
# and min/max of items only a generator holds.
import sys
print(sorted(["b", "A", "c"], key=str.lower), list(map(str.upper, ["a", "b"])))
xs = []
list.append(xs, 1)
print(xs, dict.get({"k": 1}, "k"), str.join("-", ["a", "b"]), int.bit_length(True) if False else 0)
for call in (lambda: str.lower(5), lambda: list.append((), 1), lambda: str.lower()):
    try:
        call()
    except TypeError as e:
        print("TypeError", e)
words = "a bb ccc".split()
best = max((len(w), w) for w in words)
print(best, min((len(w), w) for w in words), sys.getrefcount(best))
print(max((w for w in words), key=len), min(iter([(2,), (1,)])))
