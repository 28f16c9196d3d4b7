# Counting past 256 creates fresh int objects; below, the same cached ones.
same = 0
for i in range(250, 262):
    j = int(str(i))
    if i is j:
        same += 1
print(same)
print([int(str(k)) is k for k in range(254, 260)])
