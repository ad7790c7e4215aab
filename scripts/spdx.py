#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check, or add, the SPDX license line at the top of every source file of the project.

    scripts/spdx.py --check [ROOT]   list the source files without the line; exit 1 if there are any
    scripts/spdx.py --fix [ROOT]     add the line where it is missing (rerun it after a merge)

The line is `SPDX-License-Identifier: MIT` (https://spdx.dev/learn/handling-license-info/) in the
file's comment syntax, on the first line, or on the second after a shebang line. Source files:
C++ (.cpp, .hpp, .h), Python (.py), shell (.sh, and files without an extension whose shebang runs a
shell or Python), Meson (meson.build, meson_options.txt, meson.options, cross files .ini), CMake
(CMakeLists.txt, .cmake), Makefile, linker scripts (.ld), and templates (.in) by the name they
generate. Skipped: .git, subprojects, __pycache__, and build directories (build*, and any directory
holding meson-private or CMakeCache.txt).
"""
import os
import re
import sys

LICENSE = "MIT"
TAG = "SPDX-License-Identifier: " + LICENSE

HASH = ("# ", "")
SLASH = ("// ", "")
BLOCK = ("/* ", " */")
BY_NAME = {"meson.build": HASH, "meson_options.txt": HASH, "meson.options": HASH,
           "CMakeLists.txt": HASH, "Makefile": HASH}
BY_SUFFIX = {".cpp": SLASH, ".hpp": SLASH, ".h": SLASH, ".py": HASH, ".sh": HASH, ".cmake": HASH,
             ".ini": HASH, ".pc": HASH, ".ld": BLOCK}
SHEBANG = re.compile(r"^#!.*\b(sh|bash|python3?)\b")


def comment_style(path):
    """The (opening, closing) of a one-line comment for a source file, or None for other files."""
    name = os.path.basename(path)
    if name.endswith(".in"):
        name = name[:-3]
    if name in BY_NAME:
        return BY_NAME[name]
    suffix = os.path.splitext(name)[1]
    if suffix in BY_SUFFIX:
        return BY_SUFFIX[suffix]
    if not suffix:
        try:
            with open(path, encoding="utf-8") as f:
                first = f.readline()
        except (UnicodeDecodeError, OSError):
            return None
        if SHEBANG.match(first):
            return HASH
    return None


def source_files(root):
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if d not in (".git", "subprojects", "__pycache__")
                            and not d.startswith("build")
                            and not os.path.exists(os.path.join(directory, d, "meson-private"))
                            and not os.path.exists(os.path.join(directory, d, "CMakeCache.txt")))
        for name in sorted(files):
            path = os.path.join(directory, name)
            style = comment_style(path)
            if style:
                yield path, style


def split_shebang(lines):
    """(the shebang line or [], the rest)."""
    return (lines[:1], lines[1:]) if lines and lines[0].startswith("#!") else ([], lines)


def has_tag(lines):
    _, rest = split_shebang(lines)
    return bool(rest) and TAG in rest[0]


def main():
    if len(sys.argv) not in (2, 3) or sys.argv[1] not in ("--check", "--fix"):
        sys.exit(__doc__)
    fix = sys.argv[1] == "--fix"
    root = sys.argv[2] if len(sys.argv) == 3 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    missing = []
    for path, (opening, closing) in source_files(root):
        with open(path, encoding="utf-8", newline="") as f:
            lines = f.read().splitlines(keepends=True)
        if has_tag(lines):
            continue
        missing.append(os.path.relpath(path, root))
        if fix:
            shebang, rest = split_shebang(lines)
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write("".join(shebang + [opening + TAG + closing + "\n"] + rest))
    for path in missing:
        print(("added the SPDX line to " if fix else "no SPDX line: ") + path)
    if not fix and missing:
        print(f"spdx.py: {len(missing)} source files without '{TAG}' at the top; `scripts/spdx.py --fix` adds it")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
