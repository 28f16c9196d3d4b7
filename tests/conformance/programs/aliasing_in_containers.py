# The same object stored in several containers is shared, not copied.
shared = [0]
t = (shared, shared)
d = {"k": shared}
shared.append(1)
print(t)
print(d)
t[0].append(2)
print(shared, d["k"] is t[1])
s = [shared] * 2
s[1].append(3)
print(s)
