# Printing None, bools and their arithmetic.
print(None, True, False)
print(repr(None), str(True))
print(True + True, True * 10, False - 1)
print([None, True], {True: "yes", False: "no"})
print(not None, not 0, not "", not [0])
print(None or "default", 0 and "never", "" or 0 or None)
print(bool([]), bool([0]), bool(0.0), bool("0"))
