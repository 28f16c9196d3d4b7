a.b
a.b.c.d
a().b
a.b().c()
a[0].b[1].c
(a).b
(a + b).c
"text".join(parts)
1 .real
x = self.items[i].name.upper()
obj.method(arg)(other)[key].attr
