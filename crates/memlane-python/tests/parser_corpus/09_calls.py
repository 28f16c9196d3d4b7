f()
f(1)
f(1, 2)
f(a=1)
f(1, b=2)
f(*args)
f(**kwargs)
f(1, *args, b=2, **kwargs)
f(*a, *b, c=1, **d, **e)
f(a=1, *b)
f(x)(y)(z)
obj.method(1).other()[0]
print("hello", end="")
f(
    1,
    2,
)
g(a, b,)
max(1, 2, key=abs)
