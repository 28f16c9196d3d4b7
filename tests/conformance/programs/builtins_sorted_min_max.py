# sorted, min and max with key and reverse.
words = ["banana", "Apple", "cherry", "date"]
print(sorted(words))
print(sorted(words, key=len))
print(sorted(words, key=lambda w: w.lower(), reverse=True))
print(min(words), max(words), min(words, key=len), max(words, key=len))
nums = [5, -3, 2, -8, 7]
print(sorted(nums, key=abs), min(nums), max(nums))
print(sorted([(2, "b"), (1, "z"), (2, "a")]))
original = [3, 1, 2]
s = sorted(original)
print(original, s, s is original)
original.sort(reverse=True)
print(original)
