# A shallow copy shares the inner objects.
outer = [[1, 2], [3, 4]]
copy = list(outer)
copy[0].append(99)
copy[1] = ["new"]
print(outer)
print(copy)
print(outer[0] is copy[0], outer[1] is copy[1])
deep = [row[:] for row in outer]
deep[0].append(7)
print(outer[0], deep[0])
