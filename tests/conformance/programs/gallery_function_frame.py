def area(width, height):
    result = width * height
    return result

size = area(3, 4)
print(size)
