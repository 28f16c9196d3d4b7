café = "naïve"
名前 = "値"
s = "emoji 😀 here"
t = f"{café}!"
u = "é" + "ü"
x = café.upper() + 名前
y = {"ключ": 1}
