# An uncaught KeyError; output printed before it still appears.
inventory = {"apples": 3}
print(inventory["apples"])
inventory["pears"] += 1
print("never printed")
