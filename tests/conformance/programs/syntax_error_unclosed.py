# An unclosed bracket is a SyntaxError; nothing runs.
print("nothing runs")
values = [1, 2, 3
print(values)
print(len(values))
