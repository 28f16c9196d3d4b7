# How many frames fit under the default recursion limit from module level.
depth = 0
def dive(n):
    global depth
    depth = n
    dive(n + 1)
try:
    dive(1)
except RecursionError as e:
    print(e)
print(depth)
depth = 0
def outer():
    dive(1)
try:
    outer()
except RecursionError:
    pass
print(depth)
