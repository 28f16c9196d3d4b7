# Memoising with a dict shared across recursive calls.
memo = {}
def fib(n):
    if n in memo:
        return memo[n]
    r = n if n < 2 else fib(n - 1) + fib(n - 2)
    memo[n] = r
    return r
print(fib(80))
print(len(memo))
print(sorted(memo)[:5], max(memo))
