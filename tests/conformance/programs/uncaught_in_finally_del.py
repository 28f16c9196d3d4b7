# finally and __del__ still run while an uncaught exception propagates.
class Noisy:
    def __del__(self):
        print("del noisy")
def work():
    n = Noisy()
    try:
        raise IndexError("boom")
    finally:
        print("finally in work")
work()
