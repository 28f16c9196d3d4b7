# __init__ sets instance attributes; methods receive the instance as self.
class Account:
    def __init__(self, owner, balance=0):
        self.owner = owner
        self.balance = balance
    def deposit(self, amount):
        self.balance += amount
        return self.balance
    def describe(self):
        return f"{self.owner}: {self.balance}"
a = Account("ann")
b = Account("bob", 50)
a.deposit(30)
b.deposit(5)
print(a.describe())
print(b.describe())
print(type(a).__name__, a.balance + b.balance)
