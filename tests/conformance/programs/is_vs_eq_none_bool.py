# None, True and False are singletons; compare them with is.
x = None
print(x is None, x == None)
print(True is True, (1 == 1) is True)
print(bool(1) is True, bool(0) is False)
print(1 == True, int("1") is True)
print(0 == False, 0.0 == False)
print(type(None), type(True))
