point = [3, 4]
values = list(range(600))
print(len(point), len(values))
