# Single inheritance: method lookup walks up to the base class.
class Shape:
    sides = 0
    def __init__(self, name):
        self.name = name
    def describe(self):
        return f"{self.name} with {self.sides} sides, area {self.area()}"
    def area(self):
        return 0
class Square(Shape):
    sides = 4
    def __init__(self, side):
        Shape.__init__(self, "square")
        self.side = side
    def area(self):
        return self.side * self.side
s = Square(3)
print(s.describe())
print(Shape("blob").describe())
print(isinstance(s, Square), isinstance(s, Shape), isinstance(s, object))
print(isinstance(Shape("x"), Square), type(s) is Square, type(s) is Shape)
