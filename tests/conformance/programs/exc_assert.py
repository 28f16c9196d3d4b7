# assert raises AssertionError with an optional message.
x = 5
assert x == 5
try:
    assert x > 10, "x too small"
except AssertionError as e:
    print(type(e).__name__, e)
try:
    assert []
except AssertionError as e:
    print(type(e).__name__, repr(str(e)))
print("done")
