if x:
	a = 1
	if y:
		b = 2
def f():
	return 1
