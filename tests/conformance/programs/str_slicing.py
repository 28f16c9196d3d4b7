# Slicing strings and lists: start, stop, step, negatives.
s = "abcdefgh"
print(s[2:5], s[:3], s[5:], s[-3:], s[:-3])
print(s[::2], s[1::3], s[::-1], s[6:2:-1])
print(s[100:], repr(s[5:2]), s[-100:2])
lst = list(range(10))
print(lst[2:8:2], lst[::-3])
lst[2:5] = ["x"]
print(lst)
del lst[::2]
print(lst)
lst[:0] = [0, 0]
print(lst)
