#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Compile one C++ file with the project's compiler and flags, and check the outcome.

  compile_check.py MODE TARGET COMPILER_ID -- COMPILER [FLAGS...]
  (COMPILER_ID is Meson's id, gcc or clang, for `// expected-gcc:` and `// expected-clang:` lines.)

  compile_check.py pass SOURCE ID -- COMPILER [FLAGS...]
      SOURCE must compile (static tests: compiling is passing; header checks).
  compile_check.py fail SOURCE ID -- COMPILER [FLAGS...]
      SOURCE is a compile-fail test. Compiled as it is it must succeed (the control: proves the
      include paths and the rest of the file are right); compiled with -DCXATTN_COMPILE_FAIL it
      must fail with exactly one error whose text contains every `// expected: TEXT` line of SOURCE
      (and every `// expected-ID: TEXT` line for this compiler).
  compile_check.py refuse SOURCE ID -- COMPILER [FLAGS...]
      SOURCE must compile as it is, and fail with exactly one error holding its `// expected:` text
      when compiled with the flags of its `// flags: FLAGS` line (a compiler flag cxattn refuses).
  compile_check.py header NAME ID -- COMPILER [FLAGS...]
      A file that includes <NAME> twice and nothing else must compile (self-contained headers).
  compile_check.py first-error NAME ID -- COMPILER [FLAGS...] -std=OLD
      A file that includes <NAME> must fail, and its first error must contain every
      `--expect=TEXT` given after the flags (a requirement stated before any other error).
"""
import os
import re
import subprocess
import sys
import tempfile


def compile_(cmd, source, extra=()):
    # LC_ALL=C: GCC quotes with plain apostrophes, not the locale's typographic quotes.
    proc = subprocess.run(cmd + list(extra) + ["-fsyntax-only", "-fno-diagnostics-color", source],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          env=dict(os.environ, LC_ALL="C"))
    return proc.returncode, proc.stdout


def main():
    mode, target, compiler_id = sys.argv[1], sys.argv[2], sys.argv[3]
    cmd = sys.argv[sys.argv.index("--") + 1:]
    wanted = [a[len("--expect="):] for a in cmd if a.startswith("--expect=")]
    cmd = [a for a in cmd if not a.startswith("--expect=")]
    if mode == "header":
        with tempfile.TemporaryDirectory() as tmp:
            source = os.path.join(tmp, "header_check.cpp")
            with open(source, "w") as f:
                f.write(f"#include <{target}>\n#include <{target}>\n")
            rc, out = compile_(cmd, source)
        print(out)
        return 0 if rc == 0 else 1
    if mode == "first-error":
        with tempfile.TemporaryDirectory() as tmp:
            source = os.path.join(tmp, "first_error.cpp")
            with open(source, "w") as f:
                f.write(f"#include <{target}>\n")
            # The first error is all that is asked for: the compiler may stop there.
            rc, out = compile_(cmd, source, ["-Wfatal-errors"])
        print(out)
        first = next((line for line in out.splitlines() if re.search(r"\berror\b", line)), None)
        if rc == 0 or first is None:
            print(f"FAIL: <{target}> compiled, but must not")
        elif any(w not in first for w in wanted):
            print("FAIL: the first error lacks: " + "; ".join(w for w in wanted if w not in first))
        else:
            print("ok: the first error is: " + first)
            return 0
        return 1
    rc, out = compile_(cmd, target)
    if mode == "pass" or rc != 0:
        print(out)
        if rc != 0:
            print(f"FAIL: {target} does not compile" + (" (control build)" if mode == "fail" else ""))
        return 0 if rc == 0 else 1
    expected = re.findall(rf"^// expected(?:-{compiler_id})?: (.+)$", open(target).read(), re.M)
    if not expected:
        print(f"FAIL: {target} has no '// expected:' line")
        return 1
    if mode == "refuse":
        flags = re.findall(r"^// flags: (.+)$", open(target).read(), re.M)
        if len(flags) != 1:
            print(f"FAIL: {target} needs one '// flags:' line")
            return 1
        print("refused flags: " + flags[0])
        rc, out = compile_(cmd, target, flags[0].split())
    else:
        rc, out = compile_(cmd, target, ["-DCXATTN_COMPILE_FAIL"])
    print(out)
    errors = re.findall(r"\berror:", out)
    missing = [e for e in expected if e not in out]
    if rc == 0:
        print("FAIL: compiled, but must not")
    elif missing:
        print("FAIL: the diagnostic lacks: " + "; ".join(missing))
    elif len(errors) != 1:
        print(f"FAIL: {len(errors)} errors, expected exactly one at the API boundary")
    else:
        return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
