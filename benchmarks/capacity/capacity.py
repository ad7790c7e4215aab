#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Compile-time capacity of cxattn: how large a problem each compiler evaluates, how fast, and at
what cost per operation. Run from the repository root:

    python3 benchmarks/capacity/capacity.py            # the whole report (a few minutes)
    python3 benchmarks/capacity/capacity.py --quick    # sizes and times only, no search or costs
    python3 benchmarks/capacity/capacity.py --costs    # the exact cost of the three capacity cases

Every figure is measured by compiling tests/capacity/probe.cpp (one translation unit, one
constant evaluation, chosen by macros) with `-std=c++20 -O2 -c`:
- time: wall clock, best of --repeat runs; peak memory: the compiler's maximum resident set size;
- "default limits": no -fconstexpr-* flag; "raised": the flags of Meson's
  -Dconstexpr_limits=raised (see meson.build);
- the largest N: a bisection over N on whether the probe compiles under default limits;
- costs: a bisection over -fconstexpr-steps (Clang) or -fconstexpr-ops-limit (GCC) for the
  smallest limit under which the evaluation succeeds.
"""
import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROBE = os.path.join(ROOT, "tests", "capacity", "probe.cpp")
KINDS = {"attention": 1, "streaming": 2, "multi_head": 3, "matmul": 4, "exp": 5, "exp_loop": 6}
# What -Dconstexpr_limits=raised adds (keep in step with meson.build).
RAISED = {"gcc": ["-fconstexpr-ops-limit=2147483647", "-fconstexpr-loop-limit=2147483647"],
          "clang": ["-fconstexpr-steps=2147483647"]}
LIMIT_FLAG = {"gcc": "-fconstexpr-ops-limit", "clang": "-fconstexpr-steps"}


def family(compiler):
    out = subprocess.run([compiler, "--version"], capture_output=True, text=True).stdout
    return ("clang" if "clang" in out else "gcc"), out.splitlines()[0]


def compile_once(compiler, kind, n, extra=()):
    """(succeeded, wall seconds, peak resident kB) of one compile of the probe."""
    cmd = [compiler, "-std=c++20", "-O2", "-c", PROBE, "-o", os.devnull,
           "-I" + os.path.join(ROOT, "include"), "-I" + os.path.join(ROOT, "tests"),
           f"-DPROBE_KIND={KINDS[kind]}", f"-DPROBE_N={n}", *extra]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    return os.waitstatus_to_exitcode(status) == 0, elapsed, usage.ru_maxrss


def timed(compiler, kind, n, repeat, extra=()):
    runs = [compile_once(compiler, kind, n, extra) for _ in range(repeat)]
    ok = all(r[0] for r in runs)
    return ok, min(r[1] for r in runs), max(r[2] for r in runs)


def largest_n(compiler, kind, lo, hi):
    """Largest N in [lo, hi] whose probe compiles under default limits (None if lo fails)."""
    if not compile_once(compiler, kind, lo)[0]:
        return None
    if compile_once(compiler, kind, hi)[0]:
        return hi
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if compile_once(compiler, kind, mid)[0]:
            lo = mid
        else:
            hi = mid
    return lo


def cost(compiler, fam, kind, n, exact=False):
    """Smallest constant-evaluation limit under which the probe compiles (within 0.5%, or exact)."""
    lo, hi = 1, 2**31 - 1
    while hi - lo > (1 if exact else max(lo // 200, 1)):
        mid = (lo + hi) // 2
        flags = [f"{LIMIT_FLAG[fam]}={mid}"] + (["-fconstexpr-loop-limit=2147483647"] if fam == "gcc" else [])
        if compile_once(compiler, kind, n, flags)[0]:
            hi = mid
        else:
            lo = mid
    return hi


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compilers", nargs="+", default=["g++", "clang++"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="sizes and times only")
    parser.add_argument("--costs", action="store_true",
                        help="only the exact cost of the three capacity cases (the tests' 64 cases)")
    args = parser.parse_args()

    if args.costs:
        print("| compiler | case | cost | share of the default limit |")
        print("| --- | --- | ---: | ---: |")
        for compiler in args.compilers:
            fam, _ = family(compiler)
            unit = "steps" if fam == "clang" else "ops"
            limit = 1048576 if fam == "clang" else 33554432
            for kind, shape in (("attention", "64"), ("streaming", "64"), ("multi_head", "E=64, 4 heads, L=S=32")):
                c = cost(compiler, fam, kind, 64, exact=True)
                print(f"| {compiler} | {kind} {shape} | {c} {unit} | {100 * c / limit:.2f}% |", flush=True)
        return

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
    rows = []
    for compiler in args.compilers:
        fam, version = family(compiler)
        print(f"\n## {compiler}: {version}\n")
        print("| case | limits | N | compiles | time (s, best of %d) | peak memory (MB) |" % args.repeat)
        print("| --- | --- | --- | --- | --- | --- |")
        cases = [("attention", "default", n) for n in (16, 32, 64)]
        cases += [("streaming", "default", 64), ("multi_head", "default", 64)]
        cases += [("attention", "default", 96)] if fam == "clang" else []
        cases += [("attention", "raised", n) for n in (96, 128)]
        for kind, limits, n in cases:
            extra = RAISED[fam] if limits == "raised" else []
            ok, seconds, peak = timed(compiler, kind, n, args.repeat, extra)
            shape = f"E={n}, 4 heads, L=S={n // 2}" if kind == "multi_head" else f"{n}"
            print(f"| {kind} | {limits} | {shape} | {'yes' if ok else 'no'} | {seconds:.2f} | {peak / 1024:.0f} |",
                  flush=True)
        if args.quick:
            continue
        print()
        for kind in ("attention", "streaming"):
            print(f"- largest N for {kind} under default limits: {largest_n(compiler, kind, 8, 256)}", flush=True)
        unit = "steps" if fam == "clang" else "operations"
        mm = cost(compiler, fam, "matmul", 64)
        print(f"- matmul 64x64x64: {mm} {unit}, {mm / 64**3:.2f} per multiply-add (all overhead included)")
        e1, e0 = cost(compiler, fam, "exp", 1024), cost(compiler, fam, "exp_loop", 1024)
        print(f"- exp: {(e1 - e0) / 1024:.1f} {unit} per call (1024 calls: {e1}, the loop alone: {e0})")
        at = cost(compiler, fam, "attention", 64)
        limit = 1048576 if fam == "clang" else 33554432
        print(f"- attention 64: {at} {unit}, {100 * at / limit:.0f}% of the default limit ({limit})", flush=True)


if __name__ == "__main__":
    main()
