match = 1
case = 2
_ = 3
match(x)
match[0]
match.attr = 4
print(match, case, _)
type = int
