# Counting words with a dict.
text = "the cat and the hat sat on a mat by the tree"
counts = {}
for w in text.split():
    counts[w] = counts.get(w, 0) + 1
print(counts)
best = max(counts, key=lambda k: counts[k])
print(best, counts[best])
by_count = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
print(by_count)
groups = {}
for w in text.split():
    groups.setdefault(len(w), []).append(w)
print(groups)
