# The name bound by `except ... as e` is deleted when the handler ends.
try:
    1 / 0
except ZeroDivisionError as e:
    print("inside:", e)
try:
    print(e)
except NameError as err:
    print(type(err).__name__, err)
e = "kept"
try:
    [][0]
except IndexError as e:
    pass
print("handler done")
try:
    e
except NameError:
    print("e is gone")
