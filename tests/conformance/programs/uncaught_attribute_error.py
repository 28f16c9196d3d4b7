# Calling a method on None is a classic uncaught AttributeError.
def find(items, target):
    for i in items:
        if i == target:
            return i
result = find([1, 2, 3], 9)
print(result)
result.append(9)
