import gc

a = []
b = [a]
a.append(b)
del a, b
print(gc.collect())
