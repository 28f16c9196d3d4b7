# __del__ runs as soon as the last reference goes away.
class Noisy:
    def __init__(self, name):
        self.name = name
    def __del__(self):
        print("del", self.name)
a = Noisy("a")
b = a
print("dropping a")
del a
print("dropping b")
del b
print("rebinding c")
c = Noisy("c1")
c = Noisy("c2")
print("end of program")
