# == compares values; is compares identity.
a = [1, 2]
b = [1, 2]
c = a
print(a == b, a is b)
print(a == c, a is c)
print(a is not b, a != b)
print([] is [], [] == [])
print({} == {}, {} is {})
