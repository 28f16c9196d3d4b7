(a)
(a) = 1
(a) + b
a + (b)
((a, b))
(((1)))
x = (1,
     2,
     3)
y = [
    1,
    2,
]
z = {
    "a": 1,
}
w = f(
    a,
    b=2,
)
total = (first
         + second
         - third)
value = 1 + \
    2
if (a and
    b):
    pass
