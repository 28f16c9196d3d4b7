# Common exceptions and their messages.
def attempt(label, fn):
    try:
        fn()
    except Exception as e:
        print(label, type(e).__name__, e)
attempt("div", lambda: 1 / 0)
attempt("intdiv", lambda: 1 // 0)
attempt("mod", lambda: 5 % 0)
attempt("key", lambda: {"a": 1}["b"])
attempt("index", lambda: [1, 2][5])
attempt("tuple index", lambda: (1,)[3])
attempt("str index", lambda: "abc"[10])
attempt("type add", lambda: 1 + "a")
attempt("type call", lambda: len(5))
attempt("value int", lambda: int("abc"))
attempt("value float", lambda: float("x1"))
attempt("attr", lambda: (5).nope)
attempt("name", lambda: missing_name)
