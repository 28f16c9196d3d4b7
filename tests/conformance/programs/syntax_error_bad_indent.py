# Inconsistent indentation is an IndentationError, a kind of SyntaxError.
print("nothing runs")
if True:
    x = 1
      y = 2
