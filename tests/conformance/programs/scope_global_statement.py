# Assignment inside a function makes a local unless declared global.
count = 0
def bump():
    global count
    count += 1
def shadow():
    count = 100
    return count
bump()
bump()
print(count, shadow(), count)
def read_only():
    return count * 2
print(read_only())
def broken():
    try:
        count += 1
    except UnboundLocalError as e:
        print(type(e).__name__, e)
broken()
