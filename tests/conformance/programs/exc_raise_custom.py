# Raising exceptions, re-raising, and exception classes with inheritance.
class AppError(Exception):
    pass
class NotFound(AppError):
    pass
def find(k):
    if k != "ok":
        raise NotFound(f"no item {k!r}")
    return 1
try:
    find("x")
except AppError as e:
    print(type(e).__name__, e, isinstance(e, Exception))
try:
    try:
        find("y")
    except NotFound:
        print("handling, then re-raise")
        raise
except Exception as e:
    print("outer got", e)
try:
    raise ValueError("bad", 42)
except ValueError as e:
    print(repr(str(e)), e)
