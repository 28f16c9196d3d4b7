# Instances stored in lists and dicts are shared references, sorted by a key.
class Item:
    def __init__(self, name, price):
        self.name = name
        self.price = price
items = [Item("pen", 3), Item("book", 12), Item("cup", 5)]
by_name = {}
for it in items:
    by_name[it.name] = it
by_name["cup"].price = 7
print([it.price for it in items])
cheap = sorted(items, key=lambda it: it.price)
print([it.name for it in cheap])
print(cheap[0] is items[0], max(items, key=lambda it: it.price).name)
print(sum(it.price for it in items))
