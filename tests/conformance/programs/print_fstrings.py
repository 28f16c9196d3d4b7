# f-strings with format specs: width, alignment, precision, conversion.
x = 3.14159
n = 42
name = "memlane"
print(f"{x:.2f} {x:8.3f}| {n:5d}| {n:<5}| {n:^7}|")
print(f"{n:05d} {n:x} {n:o} {n:b} {n:#x}")
print(f"{name!r} {name:>10} {name.upper()}")
print(f"{1000000:,} {0.25:.1%} {12.0:g} {1e20:e}")
print(f"{n + 1} {[n] * 2} {n > 40}")
print(f"{{braces}} {'nested'}")
w = 6
print(f"{n:{w}}|{name:*^{w + 6}}")
