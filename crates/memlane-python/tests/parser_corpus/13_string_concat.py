a = "abc" "def"
b = ("first "
     "second "
     "third")
c = "x" f"{y}" "z"
d = f"{a}" f"{b}"
e = r"\d" "\n"
f = "" ""
g = f"" ""
h = ("a"
     f"b{c}"
     'd')
