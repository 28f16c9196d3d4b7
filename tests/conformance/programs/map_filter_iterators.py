# map and filter: lazy iterators holding a function and iterators; each iterator kind's own type.
import sys
xs = [1, 2, 3, 4]
m = map(lambda v: v * 10, xs)
print(type(m).__name__, sys.getsizeof(m), next(m), list(m), list(m))
print(list(map(str, xs)), list(map(lambda a, b: a + b, xs, "abc" and [10, 20])))
print(list(map(pow, [2, 3], [3, 2, 1])))
f = filter(lambda v: v % 2, xs)
print(type(f).__name__, sys.getsizeof(f), list(f))
print(list(filter(None, [0, 1, "", "a", [], [0], None])))
print(sum(map(len, ["ab", "c"])), sorted(filter(str.isdigit, "a1b2")) if False else 0)
print(sys.getsizeof(zip(xs)), sys.getsizeof(enumerate(xs)), sys.getsizeof(iter(xs)))
for name, args in [("map", (len,)), ("filter", (None,)), ("filter", (None, 1, 2)), ("map", (len, 5))]:
    try:
        (map if name == "map" else filter)(*args)
    except TypeError as e:
        print(e)
def boom(v):
    raise ValueError(v)
try:
    list(map(boom, [7]))
except ValueError as e:
    print("ValueError", e)
t = (1, 2)
ys = list(map(lambda v: v, [t]))
print(ys[0] is t, sys.getrefcount(t))
print(type(zip([1])).__name__, type(iter([1])).__name__, type(enumerate([])), type(iter([])) is type(iter([2])), type(zip()) is type(iter([])))
print(type(iter("ab")).__name__, type(reversed([1])).__name__, type(iter(range(2))).__name__, type(iter({})).__name__, type(iter(set())).__name__, type(iter(())).__name__)
