# Class attributes are shared until an instance assignment shadows them.
class Dog:
    species = "canis"
    tricks = []
    def __init__(self, name):
        self.name = name
a = Dog("rex")
b = Dog("fido")
print(a.species, b.species)
a.species = "wolf"
print(a.species, b.species, Dog.species)
a.tricks.append("sit")
print(b.tricks, Dog.tricks is a.tricks)
Dog.species = "dog"
print(a.species, b.species)
del a.species
print(a.species)
