x = ((((((((((((((((((((1))))))))))))))))))))
y = [[[[[[[[[[2]]]]]]]]]]
z = f(g(h(i(j(k(1))))))
w = - - - - - - - - - - 1
v = not not not not x
u = a if b else c if d else e if f else g
