# Errors from a class's __hash__ and __eq__ come out of the set or dict operation:
# __hash__ must return an int, and an exception in __eq__ propagates.
class BadHash:
    def __hash__(self): return "x"
class Boom:
    def __init__(self, x): self.x = x
    def __hash__(self): return 1
    def __eq__(self, other): raise ValueError("no compare " + str(self.x))
class Unhashable:
    def __eq__(self, other): return True
for make in (lambda: hash(BadHash()), lambda: {BadHash()}, lambda: {BadHash(): 1},
             lambda: {Unhashable()}, lambda: hash((1, Unhashable()))):
    try:
        make()
    except TypeError as e:
        print("TypeError", e)
s = {Boom(1)}
for op in (lambda: Boom(2) in s, lambda: s.add(Boom(3)), lambda: {Boom(4): 1, Boom(5): 2},
           lambda: s | {Boom(6)}):
    try:
        op()
    except ValueError as e:
        print("ValueError", e)
print(len(s), s.pop().x)
class NoneHash:
    __hash__ = None
try:
    {NoneHash()}
except TypeError as e:
    print("TypeError", e)
