#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check that every C++ file of the project is formatted as .clang-format says.

  check_format.py SOURCE_ROOT CLANG_FORMAT

Runs `CLANG_FORMAT --dry-run --Werror` over every .hpp and .cpp file: the files git knows in
SOURCE_ROOT (tracked, and untracked but not ignored), or, without git, every such file under
SOURCE_ROOT outside hidden, build* and subprojects directories. Generated files are left out: they are what
their script writes (tests/fixtures/*.hpp by scripts/gen_fixtures.py,
include/cxattn/detail/exp_tables.hpp by scripts/gen_exp_table.py).

The style is defined by clang-format 14 (Debian 12's clang-format), whose output other major
versions do not reproduce; with another version the test is skipped (exit status 77).
Fix a failure with: clang-format -i FILE...
"""
import fnmatch
import os
import re
import subprocess
import sys

GENERATED = ["tests/fixtures/*.hpp", "include/cxattn/detail/exp_tables.hpp"]
STYLE_VERSION = 14
SKIP = 77  # Meson's exit status for a skipped test


def cxx_files(root):
    try:
        out = subprocess.run(["git", "-C", root, "ls-files", "--cached", "--others", "--exclude-standard",
                              "--", "*.hpp", "*.cpp"], capture_output=True, text=True, check=True).stdout
        names = out.splitlines()
    except (OSError, subprocess.CalledProcessError):
        names = []
        for directory, subdirs, files in os.walk(root):
            subdirs[:] = [d for d in subdirs if not d.startswith((".", "build")) and d != "subprojects"]
            names += [os.path.relpath(os.path.join(directory, f), root).replace(os.sep, "/")
                      for f in files if f.endswith((".hpp", ".cpp"))]
    # A file deleted but not yet committed is still listed by git: check what exists.
    return sorted(n for n in set(names) if os.path.isfile(os.path.join(root, n))
                  and not any(fnmatch.fnmatch(n, pattern) for pattern in GENERATED))


def main():
    root, clang_format = sys.argv[1], sys.argv[2]
    version = subprocess.run([clang_format, "--version"], capture_output=True, text=True).stdout
    major = re.search(r"version (\d+)", version)
    if not major or int(major.group(1)) != STYLE_VERSION:
        print(f"SKIP: the style is defined by clang-format {STYLE_VERSION}; found: {version.strip()}")
        return SKIP
    files = cxx_files(root)
    if not files:
        print(f"FAIL: no C++ file found under {root}")
        return 1
    proc = subprocess.run([clang_format, "--dry-run", "--Werror", *files], cwd=root,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    print(proc.stdout, end="")
    if proc.returncode != 0:
        bad = sorted(set(re.findall(r"^(\S+?):\d+:\d+: error:", proc.stdout, re.M)))
        print(f"FAIL: {len(bad)} of {len(files)} files are not formatted; fix with: clang-format -i "
              + " ".join(bad))
        return 1
    print(f"{len(files)} files formatted as .clang-format says")
    return 0


if __name__ == "__main__":
    sys.exit(main())
