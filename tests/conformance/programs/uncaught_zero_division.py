# An uncaught exception prints a traceback and exits with status 1.
def ratio(a, b):
    return a / b
print(ratio(6, 3))
print("about to fail")
print(ratio(1, 0))
print("never printed")
