#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Constant-evaluation cost of one cxattn::portable::exp / tanh / log / sqrt call, per compiler and type.

  python3 accuracy/constexpr_cost.py [COMPILER...]      (default: g++ clang++)

For each compiler, function and type, finds by bisection the smallest limit under which
accuracy/constexpr_cost.cpp compiles (Clang: -fconstexpr-steps, GCC: -fconstexpr-ops-limit), with
CALLS calls and with the same loop calling an identity function; prints (limit - baseline) / CALLS,
the cost of one call in that compiler's unit, next to the compiler's default limit.
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "constexpr_cost.cpp")
INCLUDE = os.path.join(HERE, "..", "include")
CALLS = 256


def flag_of(compiler):
    out = subprocess.run([compiler, "--version"], capture_output=True, text=True).stdout
    if "clang" in out:
        return "-fconstexpr-steps=", 1_048_576, "steps (Clang)"
    return "-fconstexpr-ops-limit=", 1 << 25, "ops (GCC)"


def compiles(compiler, flag, limit, function, type_):
    cmd = [compiler, "-std=c++20", "-fsyntax-only", "-I" + INCLUDE, f"{flag}{limit}",
           f"-DCOST_FUNCTION={function}", f"-DCOST_TYPE={type_}", f"-DCOST_CALLS={CALLS}", SOURCE]
    return subprocess.run(cmd, capture_output=True).returncode == 0


def smallest_limit(compiler, flag, function, type_):
    lo, hi = 0, 1 << 24  # compiles at hi, not at lo
    if not compiles(compiler, flag, hi, function, type_):
        raise SystemExit(f"{compiler}: {function}<{type_}> does not compile even at limit {hi}")
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if compiles(compiler, flag, mid, function, type_):
            hi = mid
        else:
            lo = mid
    return hi


def main():
    compilers = sys.argv[1:] or ["g++", "clang++"]
    print(f"| compiler | function | type | cost of one call | default limit | calls within the default |")
    print("|---|---|---|---|---|---|")
    for compiler in compilers:
        flag, default, unit = flag_of(compiler)
        version = subprocess.run([compiler, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
        for type_ in ("float", "double", "long double"):
            base = smallest_limit(compiler, flag, "identity", type_)
            for function in ("exp", "tanh", "log", "sqrt"):
                limit = smallest_limit(compiler, flag, function, type_)
                per_call = (limit - base) / CALLS
                print(f"| {version} | {function} | {type_} | {per_call:.1f} {unit} | {default} "
                      f"| {int(default / per_call)} |", flush=True)


if __name__ == "__main__":
    main()
