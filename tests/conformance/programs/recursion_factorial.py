# Each recursive call gets its own frame and local n.
def fact(n):
    if n <= 1:
        return 1
    return n * fact(n - 1)
for k in [0, 1, 5, 10, 20, 30]:
    print(k, fact(k))
print(fact(25) == 15511210043330985984000000)
