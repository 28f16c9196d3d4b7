# KeyError shows the repr of the key; list methods raise ValueError.
d = {"a": 1}
for k in ["b", 2, (1, 2), ""]:
    try:
        d[k]
    except KeyError as e:
        print("KeyError", e, repr(str(e)))
lst = [1, 2, 3]
try:
    lst.remove(9)
except ValueError as e:
    print("ValueError", e)
try:
    lst.index(9)
except ValueError as e:
    print("ValueError", e)
try:
    [].pop()
except IndexError as e:
    print("IndexError", e)
try:
    {}.popitem()
except KeyError as e:
    print("KeyError", e)
