# range arithmetic, len and sum.
print(list(range(5)), list(range(2, 10, 3)), list(range(5, 0, -2)))
print(len(range(0, 100, 7)), sum(range(0, 100, 7)))
print(sum([0.1] * 10), sum([1, 2, 3], 10))
print(len("hello"), len([1, [2, 3]]), len({"a": 1, "b": 2}), len(()))
r = range(10)
print(r[3], r[-1], r[2:5], 4 in r, 10 in r)
print(range(3), range(1, 7, 2))
