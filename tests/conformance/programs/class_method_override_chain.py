# Overriding a method and calling the base version explicitly.
class Animal:
    def __init__(self, name):
        self.name = name
    def speak(self):
        return "..."
    def intro(self):
        return f"{self.name} says {self.speak()}"
class Cat(Animal):
    def speak(self):
        return "meow"
class Kitten(Cat):
    def speak(self):
        return Cat.speak(self) + "!"
for a in [Animal("generic"), Cat("tom"), Kitten("kit")]:
    print(a.intro())
print(isinstance(Kitten("k"), Animal), isinstance(Cat("c"), Kitten))
