# A SyntaxError is reported before any line of the program runs.
print("this never prints")
def broken()
    return 1
print(broken())
