# Two closures made in one call share the same cell.
def pair():
    value = []
    def put(x):
        value.append(x)
    def get():
        return value
    return put, get
put, get = pair()
put(1)
put(2)
print(get())
put2, get2 = pair()
print(get2(), get() is get2())
def rebinder():
    v = 1
    def read():
        return v
    v = 2
    return read
print(rebinder()())
