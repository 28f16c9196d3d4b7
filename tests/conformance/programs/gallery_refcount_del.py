import sys

data = [1, 2, 3]
print(sys.getrefcount(data) - 1)
other = data
print(sys.getrefcount(data) - 1)
del other
print(sys.getrefcount(data) - 1)
del data
print("the list is gone")
