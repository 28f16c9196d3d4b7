# What CPython refuses without allocating: its own errors for impossible sizes and depths.
import sys

def attempt(label, make):
    try:
        make()
        print(label, "ok")
    except (OverflowError, MemoryError, ValueError, RecursionError) as e:
        print(label, type(e).__name__, e)

attempt("list repeat past an index", lambda: [0] * 10**20)
attempt("negative repeat past an index", lambda: "ab" * -(10**20))
attempt("tuple repeat past an index", lambda: (1,) * 10**20)
attempt("shift past the digit limit", lambda: 1 << 10**20)
attempt("shift of 2**63", lambda: 1 << 2**63)
attempt("shift of zero", lambda: 0 << 10**20)
attempt("negative shift", lambda: 1 << -1)
attempt("int() of 5000 digits", lambda: int("9" * 5000))
attempt("str() of 5000 digits", lambda: str(10 ** 5000))

def down(n):
    return down(n + 1)

attempt("recursion", lambda: down(0))
print(sys.getrecursionlimit())
