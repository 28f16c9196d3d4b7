a = [x for x in range(10)]
b = [x * y for x in range(3) for y in range(3)]
c = [x for x in data if x > 0 if x < 10]
d = {x: x ** 2 for x in range(5)}
e = {x for x in "hello"}
f = (x for x in range(3))
g = sum(x for x in range(10))
h = [[i * j for j in range(3)] for i in range(3)]
i = [(a, b) for a, b in pairs if a != b]
j = {k: v for k, v in mapping.items() if v}
k = [x for x in range(20) if x % 2 == 0 for y in [x] if y]
l = list(x for x in y if x)
m = [x for x, in data]
n = [y for x in z for y in x]
