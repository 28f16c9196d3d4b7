a = 1; b = 2
if a: pass
for i in x: print(i)
while False: pass
def f(): return 1
class A: pass
try: x
except: y
if a: b; c
