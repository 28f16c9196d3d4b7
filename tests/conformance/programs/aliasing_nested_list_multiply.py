# [[0]*3]*3 repeats one inner list three times; a comprehension does not.
grid = [[0] * 3] * 3
grid[0][0] = 5
print(grid)
print(grid[0] is grid[1], grid[1] is grid[2])
good = [[0] * 3 for _ in range(3)]
good[0][0] = 5
print(good)
print(good[0] is good[1])
