# enumerate, zip and reversed produce lazy iterators.
names = ["ann", "bob", "cy"]
ages = [31, 25]
for i, n in enumerate(names):
    print(i, n)
for i, n in enumerate(names, 1):
    print(i, n)
print(list(zip(names, ages)))
print(list(zip(range(3), "abc", [True, False, None])))
print(list(reversed(names)), names)
print(list(reversed(range(5))))
print(dict(zip(names, ages)))
print(list(enumerate("xy")))
