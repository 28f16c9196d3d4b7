# List, set and dict comprehensions, with conditions and nesting.
squares = [x * x for x in range(8)]
print(squares)
evens = [x for x in squares if x % 2 == 0]
print(evens)
pairs = [(i, j) for i in range(3) for j in range(i)]
print(pairs)
print(sorted({x % 4 for x in range(20)}))
lengths = {w: len(w) for w in ["a", "bb", "ccc"]}
print(lengths)
matrix = [[r * 3 + c for c in range(3)] for r in range(3)]
print(matrix)
print([row[1] for row in matrix], [v for row in matrix for v in row if v > 5])
