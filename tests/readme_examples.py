#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""readme_examples.py README -- COMPILER [FLAGS...]: every ```cpp block of README must compile.

Each block becomes the body of a function of its own (its #include lines go to the top), after a
prelude that defines the inputs the snippets take as given (Q, K, V, keep, bias, X and the
multi-head parameters). Unused variables and a snippet's names hiding the prelude's are allowed:
snippets are fragments.
"""
import os
import re
import subprocess
import sys
import tempfile

PRELUDE = """
constexpr cxattn::matrix<float, 3, 4> Q{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
constexpr cxattn::matrix<float, 5, 4> K{};
constexpr cxattn::matrix<float, 5, 2> V{};
constexpr cxattn::matrix<bool, 3, 5> keep{true, true, true, true, true, true};
constexpr cxattn::matrix<float, 3, 5> bias{};
constexpr cxattn::matrix<float, 4, 8> X{};
constexpr cxattn::matrix<float, 8, 8> q_proj{}, k_proj{}, v_proj{}, out_proj{};
constexpr cxattn::matrix<float, 1, 8> q_bias{}, k_bias{}, v_bias{}, out_bias{};
"""


def main():
    readme = open(sys.argv[1]).read()
    cmd = sys.argv[sys.argv.index("--") + 1:]
    blocks = re.findall(r"^```cpp\n(.*?)^```", readme, re.M | re.S)
    if not blocks:
        print("FAIL: no ```cpp block in " + sys.argv[1])
        return 1
    includes, bodies = {"#include <cxattn/cxattn.hpp>"}, []
    for n, block in enumerate(blocks):
        lines = block.splitlines()
        includes.update(l for l in lines if l.startswith("#include"))
        body = "\n".join(l for l in lines if not l.startswith("#include"))
        bodies.append(f"[[maybe_unused]] void readme_example_{n}() {{\n{body}\n}}\n")
    source = "\n".join(sorted(includes)) + "\n" + PRELUDE + "\n".join(bodies)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "readme_examples.cpp")
        open(path, "w").write(source)
        proc = subprocess.run(cmd + ["-Wno-shadow", "-Wno-unused-variable", "-Wno-unused-but-set-variable",
                                     "-fsyntax-only", path], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, env=dict(os.environ, LC_ALL="C"))
    print(f"{len(blocks)} blocks")
    if proc.returncode != 0:
        print(source)
        print(proc.stdout)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
