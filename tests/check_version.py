#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check that every file naming the release agrees with meson.build's project version.

  check_version.py SOURCE_ROOT VERSION

include/cxattn/version.hpp (CXATTN_VERSION_MAJOR, _MINOR, _PATCH) and CMakeLists.txt's
project(cxattn VERSION ...) must spell VERSION, and CHANGELOG.md must have a section for it.
"""
import re
import sys


def main():
    root, version = sys.argv[1], sys.argv[2]
    failures = []
    header = open(f"{root}/include/cxattn/version.hpp").read()
    parts = [re.search(rf"^#define CXATTN_VERSION_{p} (\d+)$", header, re.M) for p in ("MAJOR", "MINOR", "PATCH")]
    found = ".".join(m.group(1) if m else "?" for m in parts)
    if found != version:
        failures.append(f"include/cxattn/version.hpp says {found}")
    cmake = re.search(r"^project\(cxattn VERSION ([0-9.]+)", open(f"{root}/CMakeLists.txt").read(), re.M)
    if not cmake or cmake.group(1) != version:
        failures.append(f"CMakeLists.txt says {cmake.group(1) if cmake else 'no project(cxattn VERSION ...)'}")
    if not re.search(rf"^## \[{re.escape(version)}\]", open(f"{root}/CHANGELOG.md").read(), re.M):
        failures.append(f"CHANGELOG.md has no '## [{version}]' section")
    for failure in failures:
        print(f"FAIL: {failure}, meson.build says {version}")
    if not failures:
        print(f"ok: {version} everywhere")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
