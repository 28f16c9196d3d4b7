# A mutable default is created once, at def time, and shared by every call.
def add(item, bucket=[]):
    bucket.append(item)
    return bucket
a = add(1)
b = add(2)
print(a, b, a is b)
c = add(3, [])
print(c, a)
def add_safe(item, bucket=None):
    if bucket is None:
        bucket = []
    bucket.append(item)
    return bucket
print(add_safe(1), add_safe(2))
