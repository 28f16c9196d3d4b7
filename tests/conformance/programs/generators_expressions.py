# Generator expressions are consumed once.
gen = (x * 2 for x in range(5))
print(sum(gen))
print(sum(gen))
print(list(x for x in "abc"))
print(max(len(w) for w in ["aa", "b", "cccc"]))
print(sorted((n % 3, n) for n in range(6)))
def evens(limit):
    for i in range(limit):
        if i % 2 == 0:
            yield i
e = evens(9)
print(list(e), list(e))
