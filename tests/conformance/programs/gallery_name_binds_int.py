answer = 42
also = answer
print(answer, also is answer, type(answer).__name__)
