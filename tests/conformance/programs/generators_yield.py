# A generator runs lazily, pausing at each yield.
def countdown(n):
    print("start")
    while n > 0:
        yield n
        n -= 1
    print("finished")
g = countdown(3)
print("created")
for v in g:
    print("got", v)
print(list(countdown(2)))
