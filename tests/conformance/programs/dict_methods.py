# dict methods; insertion order is preserved.
d = {"b": 2, "a": 1}
d["c"] = 3
print(d, list(d), list(d.keys()), list(d.values()))
print(list(d.items()))
print(d.get("a"), d.get("z"), d.get("z", 0))
print(d.pop("b"), d)
print(d.setdefault("e", 5), d.setdefault("a", 100), d)
d.update({"a": 10, "f": 6})
print(d)
print("a" in d, 10 in d, len(d))
del d["a"]
d["a"] = 11
print(d)
print(d.popitem(), d)
for k, v in sorted(d.items()):
    print(k, v)
