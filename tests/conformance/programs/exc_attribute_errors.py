# AttributeError messages for instances, builtins and None.
class Thing:
    def __init__(self):
        self.real = 1
t = Thing()
for getter in [lambda: t.fake, lambda: [].push, lambda: None.x, lambda: "s".foo]:
    try:
        getter()
    except AttributeError as e:
        print(type(e).__name__, e)
print(t.real)
