# An instance is referenced by names and attributes of other objects, not by its class.
import sys
class Node:
    def __init__(self):
        self.next = None
a = Node()
print(sys.getrefcount(a))
b = Node()
b.next = a
print(sys.getrefcount(a))
c = a
print(sys.getrefcount(a))
b.next = None
del c
print(sys.getrefcount(a))
print(sys.getrefcount(Node) > 2)
