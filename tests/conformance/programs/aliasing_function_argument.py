# Arguments are passed by object reference: mutation is visible, rebinding is not.
def mutate(lst):
    lst.append(99)

def rebind(lst):
    lst = [0]
    lst.append(1)
    return lst

items = [1, 2]
mutate(items)
print(items)
r = rebind(items)
print(items, r)
print(r is items)
