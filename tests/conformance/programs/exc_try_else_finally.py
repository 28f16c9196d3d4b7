# Order of try / except / else / finally blocks.
def run(x):
    try:
        print("try", x)
        r = 10 / x
    except ZeroDivisionError:
        print("except")
        return "from except"
    else:
        print("else", r)
        return "from else"
    finally:
        print("finally")
print(run(2))
print(run(0))
def override():
    try:
        return "try"
    finally:
        print("finally runs before return")
print(override())
