# Deleting a list frees its items from the end back to the start.
class Noisy:
    def __init__(self, name):
        self.name = name
    def __del__(self):
        print("del", self.name)
items = [Noisy("first"), Noisy("second"), Noisy("third")]
print("del list")
del items
d = {"a": Noisy("A"), "b": Noisy("B")}
print("del dict")
del d
t = (Noisy("t1"), Noisy("t2"))
print("del tuple")
del t
print("end")
