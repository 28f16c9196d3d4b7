# Objects still alive at exit are finalized when the module is torn down.
class Noisy:
    def __init__(self, name):
        self.name = name
    def __del__(self):
        print("del", self.name)
keep = Noisy("global")
def f():
    local = Noisy("local")
    print("in f")
f()
print("last line")
