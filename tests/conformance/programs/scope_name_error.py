# Unbound names raise NameError; a local assigned later is UnboundLocalError.
try:
    print(undefined_thing)
except NameError as e:
    print(type(e).__name__, e)
y = 1
def f():
    print(y)
    y = 2
try:
    f()
except UnboundLocalError as e:
    print(type(e).__name__, e)
    print(isinstance(e, NameError))
z = 5
del z
try:
    z
except NameError as e:
    print(e)
