# A failing assert at top level ends the program.
values = [3, 1, 2]
values.sort()
print(values)
assert values == [1, 2, 3]
assert len(values) == 4, "expected four values"
