# Names resolve local, then enclosing, then global, then builtins.
x = "global"
def outer():
    x = "enclosing"
    def inner():
        return x
    def own():
        x = "local"
        return x
    return inner(), own()
print(outer())
print(x)
len = lambda obj: -1
print(len([1, 2, 3]))
del len
print(len([1, 2, 3]))
