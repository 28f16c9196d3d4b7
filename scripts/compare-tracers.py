#!/usr/bin/env python3
"""Runs the same programs under CPython, under CPython with a Python Tutor style tracer
(sys.settrace: at each line event, walk the frames' locals and everything reachable,
render each object to a dict, keep the list of snapshots) and under memlane, and prints
time, peak memory and trace size side by side with the ratios.

usage: scripts/compare-tracers.py [--memlane target/release/memlane] [--sizes 1000,10000]

memlane is built with `cargo build --release -p memlane-cli`. Peak memory is each child's
ru_maxrss (os.wait4). Trace size: the recorder's snapshots as JSON (what Python Tutor sends
to the page); for memlane, the history bytes the run reports (--history-stats).
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

LOOP = """total = 0
for i in range({n}):
    total += i
print(total)
"""

MIXED = """class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y

def step(points, index, i):
    p = Point(i, i * 2)
    points.append(p)
    index[i % 64] = p
    if len(points) > 32:
        points.pop(0)
    return p.x + p.y

points = []
index = {{}}
total = 0
for i in range({n}):
    total += step(points, index, i)
print(total, len(points), len(index))
"""

# (name, source template, line steps per iteration under CPython's tracer)
PROGRAMS = [("loop", LOOP, 2), ("mixed", MIXED, 12)]

# The recorder, run as `python3 -c RECORDER program.py trace.json`.
RECORDER = r'''
import json, sys, types

def render(obj, heap):
    """Python Tutor's encoding: primitives inline, everything else a reference into heap."""
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj if not isinstance(obj, float) else repr(obj)
    key = id(obj)
    if key in heap:
        return ["REF", key]
    heap[key] = None
    if isinstance(obj, (list, tuple, set, frozenset)):
        out = [type(obj).__name__] + [render(x, heap) for x in obj]
    elif isinstance(obj, dict):
        out = ["DICT"] + [[render(k, heap), render(v, heap)] for k, v in obj.items()]
    elif isinstance(obj, (types.FunctionType, types.BuiltinFunctionType, type, types.ModuleType)):
        out = ["FUNCTION", getattr(obj, "__qualname__", getattr(obj, "__name__", "?"))]
    elif hasattr(obj, "__dict__"):
        out = ["INSTANCE", type(obj).__name__] + [
            [k, render(v, heap)] for k, v in vars(obj).items()
        ]
    else:
        out = ["OTHER", repr(obj)]
    heap[key] = out
    return ["REF", key]

def main():
    path, out_path = sys.argv[1], sys.argv[2]
    source = open(path).read()
    code = compile(source, path, "exec")
    trace = []
    user_globals = {"__name__": "__main__"}

    def tracer(frame, event, arg):
        if frame.f_code.co_filename != path:
            return tracer
        if event == "line":
            heap = {}
            frames = []
            f = frame
            while f is not None and f.f_code.co_filename == path:
                names = f.f_globals if f.f_code.co_name == "<module>" else f.f_locals
                frames.append({
                    "func": f.f_code.co_name,
                    "line": f.f_lineno,
                    "locals": {k: render(v, heap) for k, v in list(names.items())
                               if not k.startswith("__")},
                })
                f = f.f_back
            trace.append({"line": frame.f_lineno, "frames": frames, "heap": heap})
        return tracer

    sys.settrace(tracer)
    exec(code, user_globals)
    sys.settrace(None)
    with open(out_path, "w") as out:
        json.dump(trace, out)

main()
'''


def measure(cmd, stderr=subprocess.DEVNULL):
    """Runs cmd; returns (seconds, peak RSS in MB, stderr text)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = proc.stderr.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{err}")
    return seconds, usage.ru_maxrss / 1024, err


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memlane", default="target/release/memlane")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--sizes", default="1000,3000,10000",
                        help="line steps under CPython's tracer, comma-separated")
    args = parser.parse_args()
    if not os.path.exists(args.memlane):
        sys.exit(f"{args.memlane} not found: cargo build --release -p memlane-cli")
    sizes = [int(s) for s in args.sizes.split(",")]
    header = (f"{'program':8} {'steps':>7} | {'CPython':>8} | {'tracer s':>8} {'MB':>7} "
              f"{'trace MB':>8} | {'memlane s':>9} {'MB':>7} {'trace MB':>8} {'steps':>8} | "
              f"{'time x':>7} {'mem x':>6} {'trace x':>7}")
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory() as tmp:
        for name, template, per_iteration in PROGRAMS:
            for steps in sizes:
                path = os.path.join(tmp, f"{name}_{steps}.py")
                with open(path, "w") as f:
                    f.write(template.format(n=max(1, steps // per_iteration)))
                plain, _, _ = measure([args.python, path])
                out = os.path.join(tmp, "trace.json")
                t_time, t_mem, _ = measure([args.python, "-c", RECORDER, path, out])
                t_size = os.path.getsize(out) / 1e6
                m_time, m_mem, err = measure(
                    [args.memlane, "run", "--max-steps", "100000000", "--history-stats", path])
                stats = [l for l in err.splitlines() if l.startswith("memlane: ")][-1].split()
                m_steps, m_size = int(stats[1]), int(stats[5]) / 1e6
                print(f"{name:8} {steps:>7} | {plain:>7.2f}s | {t_time:>8.2f} {t_mem:>7.1f} "
                      f"{t_size:>8.2f} | {m_time:>9.2f} {m_mem:>7.1f} {m_size:>8.2f} "
                      f"{m_steps:>8} | {t_time / m_time:>6.1f}x {t_mem / m_mem:>5.1f}x "
                      f"{t_size / m_size:>6.1f}x")
    print("\nratios are tracer / memlane: above 1 means memlane is faster or smaller.")


if __name__ == "__main__":
    main()
