# Two temporaries that never coexist may get the same id.
print(id([1]) == id([2]))
print(id(float("1.5")) == id(float("2.5")))
x = [1]
y = [2]
print(id(x) == id(y))
print(id(x) == id(x))
