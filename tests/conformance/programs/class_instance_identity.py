# Each call to a class makes a new object; methods can return self for chaining.
class Builder:
    def __init__(self):
        self.parts = []
    def add(self, p):
        self.parts.append(p)
        return self
b = Builder()
same = b.add("a").add("b")
print(same is b, b.parts)
c = Builder()
print(b is c, b == c, b.parts == c.parts)
d = b
d.add("c")
print(b.parts)
