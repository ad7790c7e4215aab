#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""check_output.py PROGRAM EXPECTED: PROGRAM's standard output must equal the file EXPECTED."""
import difflib
import subprocess
import sys

actual = subprocess.run([sys.argv[1]], stdout=subprocess.PIPE, text=True, check=True).stdout
expected = open(sys.argv[2]).read()
if actual != expected:
    sys.stdout.writelines(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                               "expected", "actual"))
    sys.exit(1)
print(actual, end="")
