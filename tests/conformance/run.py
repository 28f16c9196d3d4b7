#!/usr/bin/env python3
"""Differential fidelity suite: memlane against CPython 3.11, 3.12 and 3.13.

Every program in programs/ is run by `memlane run --python 3.X FILE.py` and its
stdout, exit status and last stderr line are compared with CPython's.  For each
minor version the expectation is the live output of a CPython interpreter of
that version when one is installed (and that output is also checked against the
recording in expected/, with a warning when they disagree), otherwise the
recording in expected/<3.X>/.

Usage:
    tests/conformance/run.py [-k SUBSTRING] [--python 3.12] [-v] [-j N]
    tests/conformance/run.py --record [--runs N]       # re-record expectations
    tests/conformance/run.py --check-stability          # check only, write nothing

Environment:
    MEMLANE_BIN                 memlane binary (default: <repo>/target/release/memlane)
    MEMLANE_PYTHON_3_11 / _3_12 / _3_13
                                force the CPython interpreter used for that version

The last line of output is always `N passed, M failed` (program x version pairs);
the exit status is 0 only when M == 0.
"""

import argparse
import concurrent.futures
import difflib
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
PROGRAMS = HERE / "programs"
EXPECTED = HERE / "expected"
VERSIONS = ["3.11", "3.12", "3.13"]
TIMEOUT = 10.0
DIFF_LINES = 12
# Environments used when checking stability: hash seed unset (random), fixed seeds,
# explicit "random", and unbuffered stdout (a printed str can stay referenced by
# sys.stdout's pending buffer, so a program must not depend on the buffering mode).
STABILITY_VARIANTS = [
    {},
    {"PYTHONHASHSEED": "0"},
    {"PYTHONHASHSEED": "1"},
    {"PYTHONHASHSEED": "random"},
    {"PYTHONUNBUFFERED": "1"},
    {"PYTHONHASHSEED": "12345"},
]


# --------------------------------------------------------------------------- results

class Result:
    """What one run of a program produced."""

    def __init__(self, stdout, status, stderr_last, error=None):
        self.stdout = stdout          # str
        self.status = status          # int (negative: killed by a signal)
        self.stderr_last = stderr_last  # str, last non-blank line of stderr
        self.error = error            # str when the run itself failed (timeout, spawn error)

    def key(self):
        return (self.stdout, self.status, self.stderr_last, self.error)

    def status_text(self):
        return f"exit: {self.status}\nstderr: {self.stderr_last}\n"

    @staticmethod
    def parse_status(text):
        status, last = None, ""
        for line in text.splitlines():
            if line.startswith("exit: "):
                status = int(line[len("exit: "):])
            elif line.startswith("stderr: "):
                last = line[len("stderr: "):]
            elif line == "stderr:":
                last = ""
        if status is None:
            raise ValueError("no 'exit:' line")
        return status, last


def last_stderr_line(err):
    for line in reversed(err.splitlines()):
        if line.strip():
            return line.rstrip()
    return ""


def run_command(argv, env=None, cwd=None):
    try:
        # A session of its own, so a timeout kills the whole process group.
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env, cwd=cwd, start_new_session=True)
    except OSError as e:
        return Result("", -1, "", error=f"could not start {argv[0]}: {e}")
    try:
        out, err = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.communicate()
        return Result("", -1, "", error=f"timed out after {TIMEOUT:g} s")
    out = out.decode("utf-8", errors="backslashreplace")
    err = err.decode("utf-8", errors="backslashreplace")
    if proc.returncode < 0:
        err += f"\n<killed by signal {-proc.returncode}>"
    return Result(out, proc.returncode, last_stderr_line(err))


# --------------------------------------------------------------------------- CPython

def python_env(extra=None):
    # A canonical environment: no PYTHON* variables from the caller (PYTHONUNBUFFERED,
    # PYTHONHASHSEED, PYTHONPATH... would change what a program observes), UTF-8 output.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONIOENCODING"] = "utf-8"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra or {})
    return env


def run_cpython(python, program, extra_env=None):
    # cwd is a scratch directory so nothing in the tree shadows a module; -s drops
    # the user site directory so the interpreter starts the same way everywhere.
    with tempfile.TemporaryDirectory(prefix="memlane-conf-") as tmp:
        return run_command([python, "-s", str(program)], env=python_env(extra_env), cwd=tmp)


def probe_version(python):
    try:
        proc = subprocess.run(
            [python, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=TIMEOUT)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0:
        return None
    return proc.stdout.decode().strip() or None


def candidate_pythons():
    seen = []
    def add(p):
        if p and os.path.isfile(p) and os.access(p, os.X_OK):
            real = os.path.realpath(p)
            if real not in [os.path.realpath(s) for s in seen]:
                seen.append(p)
    add(shutil.which("python3"))
    pyenv = shutil.which("pyenv")
    if pyenv:
        try:
            root = subprocess.run([pyenv, "root"], stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, timeout=TIMEOUT).stdout.decode().strip()
            names = subprocess.run([pyenv, "versions", "--bare"], stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, timeout=TIMEOUT).stdout.decode().split()
        except (OSError, subprocess.TimeoutExpired):
            root, names = "", []
        for name in names:
            if root and name.startswith(("3.11.", "3.12.", "3.13.")):
                add(os.path.join(root, "versions", name, "bin", "python"))
    for pattern in ["/root/.pyenv/versions/3.1[123].*/bin/python",
                    os.path.expanduser("~/.pyenv/versions/3.1[123].*/bin/python")]:
        for p in sorted(glob.glob(pattern)):
            add(p)
    for minor in VERSIONS:
        add(shutil.which("python" + minor))
    return seen


def recorded_full_version(minor):
    f = EXPECTED / minor / "VERSION"
    return f.read_text().strip() if f.exists() else None


def find_interpreters(wanted):
    """Map minor version -> (path, full version) for the live interpreters found."""
    found = {}
    for minor in wanted:
        forced = os.environ.get("MEMLANE_PYTHON_" + minor.replace(".", "_"))
        if forced:
            full = probe_version(forced)
            if full is None or not full.startswith(minor + "."):
                sys.exit(f"error: MEMLANE_PYTHON_{minor.replace('.', '_')}={forced} "
                         f"is not a working CPython {minor} (got {full})")
            found[minor] = (forced, full)
    by_minor = {}
    for p in candidate_pythons():
        full = probe_version(p)
        if full is None:
            continue
        minor = ".".join(full.split(".")[:2])
        if minor in wanted and minor not in found:
            by_minor.setdefault(minor, []).append((p, full))
    for minor, options in by_minor.items():
        rec = recorded_full_version(minor)
        exact = [o for o in options if o[1] == rec]
        found[minor] = (exact or options)[0]
    return found


# --------------------------------------------------------------------------- recordings

def load_recording(minor, name):
    out = EXPECTED / minor / (name + ".out")
    st = EXPECTED / minor / (name + ".status")
    if not out.exists() or not st.exists():
        return None
    status, last = Result.parse_status(st.read_text(encoding="utf-8"))
    return Result(out.read_text(encoding="utf-8"), status, last)


def save_recording(minor, name, result):
    d = EXPECTED / minor
    d.mkdir(parents=True, exist_ok=True)
    (d / (name + ".out")).write_text(result.stdout, encoding="utf-8")
    (d / (name + ".status")).write_text(result.status_text(), encoding="utf-8")


# --------------------------------------------------------------------------- comparing

def describe_differences(expected, actual, verbose, labels=("expected", "memlane")):
    """Return (summary, detail lines); summary is None when they match."""
    if actual.error:
        return actual.error, []
    problems, detail = [], []
    if expected.stdout != actual.stdout:
        problems.append("stdout differs")
        diff = list(difflib.unified_diff(expected.stdout.splitlines(), actual.stdout.splitlines(),
                                         labels[0], labels[1], n=1, lineterm=""))
        if not verbose and len(diff) > DIFF_LINES:
            diff = diff[:DIFF_LINES] + [f"... ({len(diff) - DIFF_LINES} more diff lines, -v shows all)"]
        detail.extend(diff)
    if expected.status != actual.status:
        problems.append("exit status differs")
        detail.append(f"exit status: expected {expected.status}, got {actual.status}")
    if expected.stderr_last != actual.stderr_last:
        problems.append("last stderr line differs")
        detail.append(f"last stderr line: expected {expected.stderr_last!r}")
        detail.append(f"                       got {actual.stderr_last!r}")
    if not problems:
        return None, []
    return ", ".join(problems), detail


# --------------------------------------------------------------------------- modes

def select_programs(substring):
    progs = sorted(PROGRAMS.glob("*.py"))
    if substring:
        progs = [p for p in progs if substring in p.stem]
    return progs


def check_stability(python, program, runs):
    """Run `runs` times with different hash seeds; return (result, None) or (None, why)."""
    variants = (STABILITY_VARIANTS * ((runs // len(STABILITY_VARIANTS)) + 1))[:runs]
    results = [run_cpython(python, program, v) for v in variants]
    first = results[0]
    if first.error:
        return None, first.error
    for v, r in zip(variants[1:], results[1:]):
        if r.key() != first.key():
            exp, det = describe_differences(first, r, False, ("first run", "this run"))
            where = " ".join(f"{k}={val}" for k, val in v.items()) or "default environment"
            return None, f"differs under {where}: {exp}\n    " + "\n    ".join(det)
    return first, None


def record(args, interpreters, programs, write):
    minors = [m for m in args.versions if m in interpreters]
    for m in args.versions:
        if m not in interpreters:
            print(f"{m}: no live interpreter found; its recordings are left as they are")
    if not minors:
        print("error: no live CPython interpreter for the selected versions", file=sys.stderr)
        return 2
    jobs = [(m, p) for m in minors for p in programs]
    unstable = []
    stable = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futs = {pool.submit(check_stability, interpreters[m][0], p, args.runs): (m, p) for m, p in jobs}
        for fut in concurrent.futures.as_completed(futs):
            m, p = futs[fut]
            result, why = fut.result()
            if result is None:
                unstable.append((m, p.stem, why))
                continue
            stable += 1
            if write:
                old = load_recording(m, p.stem)
                if old is None or old.key() != result.key():
                    if args.verbose or old is not None:
                        print(f"{'new' if old is None else 'changed'}: {m} {p.stem}")
                save_recording(m, p.stem, result)
    if write:
        for m in minors:
            (EXPECTED / m).mkdir(parents=True, exist_ok=True)
            (EXPECTED / m / "VERSION").write_text(interpreters[m][1] + "\n")
            if not args.k:
                names = {p.stem for p in programs}
                for f in sorted((EXPECTED / m).glob("*.out")) + sorted((EXPECTED / m).glob("*.status")):
                    if f.stem not in names:
                        print(f"removing stale {f.relative_to(HERE)}")
                        f.unlink()
    for m, name, why in sorted(unstable):
        print(f"UNSTABLE {m} {name}: {why}")
    for m in minors:
        print(f"{m}: CPython {interpreters[m][1]} at {interpreters[m][0]}")
    print(f"{stable} stable, {len(unstable)} unstable ({args.runs} runs each)")
    return 0 if not unstable else 1


def run_one(args, minor, program, python, memlane):
    """Returns (passed, lines to print, warnings)."""
    name = program.stem
    warnings = []
    recorded = load_recording(minor, name)
    if python:
        expected = run_cpython(python, program)
        if expected.error:
            return False, [f"FAIL {minor} {name}: CPython itself: {expected.error}"], warnings
        if recorded is None:
            warnings.append(f"WARNING {minor} {name}: no recording (run with --record)")
        elif recorded.key() != expected.key():
            _, det = describe_differences(recorded, expected, False, ("recorded", "live"))
            warnings.append(f"WARNING {minor} {name}: live CPython differs from the recording "
                            "(re-record with --record)\n    " + "\n    ".join(det))
    else:
        expected = recorded
        if expected is None:
            return False, [f"FAIL {minor} {name}: no live CPython {minor} and no recording"], warnings
    actual = run_command([memlane, "run", "--python", minor, str(program)])
    summary, detail = describe_differences(expected, actual, args.verbose)
    if summary is None:
        return True, ([f"PASS {minor} {name}"] if args.verbose else []), warnings
    return False, [f"FAIL {minor} {name}: {summary}"] + ["    " + d for d in detail], warnings


def compare(args, interpreters, programs):
    memlane = os.environ.get("MEMLANE_BIN") or str(REPO / "target" / "release" / "memlane")
    if not (os.path.isfile(memlane) and os.access(memlane, os.X_OK)):
        print(f"error: memlane binary not found or not executable: {memlane}\n"
              "       build it with `cargo build --release` or point MEMLANE_BIN at it", file=sys.stderr)
        print(f"0 passed, {len(args.versions) * len(programs)} failed")
        return 2
    for m in args.versions:
        if m in interpreters:
            print(f"{m}: expectations from live CPython {interpreters[m][1]} ({interpreters[m][0]})")
        else:
            rec = recorded_full_version(m) or "unknown version"
            why = "live interpreters ignored (--no-live)" if args.no_live else f"no live CPython {m} found"
            print(f"{m}: {why}; using recorded expectations (CPython {rec})")
    jobs = [(m, p) for m in args.versions for p in programs]
    passed = failed = 0
    all_warnings = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futs = [pool.submit(run_one, args, m, p, interpreters.get(m, (None,))[0], memlane)
                for m, p in jobs]
        for fut in futs:  # in submission order: stable, readable output
            ok, lines, warnings = fut.result()
            all_warnings.extend(warnings)
            if ok:
                passed += 1
            else:
                failed += 1
            for line in lines:
                print(line, flush=True)
    for w in all_warnings:
        print(w)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-k", metavar="SUBSTRING", help="only programs whose name contains SUBSTRING")
    ap.add_argument("--python", action="append", choices=VERSIONS, metavar="3.X",
                    help="restrict to this CPython version (repeatable; default all of %s)" % ", ".join(VERSIONS))
    ap.add_argument("-v", "--verbose", action="store_true", help="print passes and full diffs")
    ap.add_argument("-j", "--jobs", type=int, default=2, help="parallel runs (default 2)")
    ap.add_argument("--record", action="store_true",
                    help="re-record expectations from the live interpreters (checks stability first)")
    ap.add_argument("--check-stability", action="store_true",
                    help="run every program several times under each live CPython; write nothing")
    ap.add_argument("--runs", type=int, default=len(STABILITY_VARIANTS),
                    help="runs per program for --record/--check-stability, each in a different "
                         "environment (default %d, min 3)" % len(STABILITY_VARIANTS))
    ap.add_argument("--no-live", action="store_true",
                    help="ignore installed interpreters and compare against the recordings only")
    args = ap.parse_args()
    args.versions = args.python or VERSIONS
    args.runs = max(3, args.runs)

    programs = select_programs(args.k)
    if not programs:
        print(f"error: no programs match {args.k!r}", file=sys.stderr)
        print("0 passed, 0 failed")
        return 2
    interpreters = {} if args.no_live else find_interpreters(args.versions)
    if args.record or args.check_stability:
        return record(args, interpreters, programs, write=args.record)
    return compare(args, interpreters, programs)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # e.g. piped into head
        sys.stderr.close()
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
