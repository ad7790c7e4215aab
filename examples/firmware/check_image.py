#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Fails if a firmware image links a heap, C++ exception machinery or RTTI.

    check_image.py NM READELF IMAGE.elf

NM and READELF are the cross toolchain's (arm-none-eabi-nm, arm-none-eabi-readelf). Every symbol
of the image, defined or not, is matched against the patterns below, and its section headers
against the sections that only exception handling needs.
"""
import re
import subprocess
import sys

FORBIDDEN_SYMBOLS = {
    'heap': r'(_?(malloc|free|calloc|realloc|memalign)(_r)?|_?sbrk(_r)?|__malloc_\w+)',
    'operator new / delete': r'_Zn[wa]\w*|_Zd[la]\w*',
    'exception machinery': r'__cxa_\w+|__gxx_personality\w*|_Unwind_\w+|__aeabi_unwind_cpp_pr\d',
    'RTTI': r'_ZT[IS]\w+',
}
# Exception tables: .ARM.extab holds the unwinding instructions and the catch tables of the Arm
# EHABI, .gcc_except_table and .eh_frame those of the generic ABI.
FORBIDDEN_SECTIONS = r'\.ARM\.extab\S*|\.gcc_except_table\S*|\.eh_frame\S*'


def main(nm: str, readelf: str, image: str) -> int:
    symbols = subprocess.run([nm, '--format=posix', image], check=True, capture_output=True,
                             text=True).stdout.split('\n')
    names = [line.split()[0] for line in symbols if line.strip()]
    problems = []
    for what, pattern in FORBIDDEN_SYMBOLS.items():
        found = sorted({n for n in names if re.fullmatch(pattern, n)})
        if found:
            problems.append(f'{what}: {" ".join(found)}')

    headers = subprocess.run([readelf, '--section-headers', '--wide', image], check=True,
                             capture_output=True, text=True).stdout
    sections = re.findall(r'\]\s+(\S+)', headers)
    found = [s for s in sections if re.fullmatch(FORBIDDEN_SECTIONS, s)]
    if found:
        problems.append(f'exception tables: {" ".join(found)}')

    if problems:
        print(f'{image} links what firmware must not:')
        for p in problems:
            print(f'  {p}')
        return 1
    print(f'{image}: {len(names)} symbols, no heap, no operator new/delete, no exception machinery, '
          f'no RTTI, no exception tables')
    return 0


if __name__ == '__main__':
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
