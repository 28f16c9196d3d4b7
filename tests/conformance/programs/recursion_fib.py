# Naive recursive fibonacci with a call counter held in a global.
calls = 0
def fib(n):
    global calls
    calls += 1
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)
print([fib(i) for i in range(12)])
calls = 0
print(fib(15), calls)
