#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Measures the Cortex-M4F figures of docs/embedded.md and prints them as Markdown tables.

    scripts/embedded_sizes.py [BUILD_DIR]      (default: build-cortex-m4f)

Sets up BUILD_DIR with cross/arm-none-eabi-cortex-m4f.ini if it is not a build directory yet,
builds the firmware and the size probes (examples/firmware/size_probe.cpp), runs the firmware's
tests under QEMU for its measured stack, then reads:
  - each firmware image's sections (arm-none-eabi-size -A): flash = .text + .rodata,
    RAM = .data + .bss, plus the stack that the linker script reserves, the stack the run used
    (the high-water mark the firmware prints) and the static figure from reset_handler;
  - each size probe, linked alone from its entry point: the bytes of code and read-only data from
    cxattn (the probe's object, by the link map) and from the libraries it pulls in (libm, libc,
    libgcc), with the library functions by name (arm-none-eabi-nm);
  - static stack (-fstack-usage, -fcallgraph-info=su): the sum of the frames along the deepest
    call chain, without the library functions' frames (newlib and libgcc have no stack figures;
    expf's is 16 bytes, by its prologue).
Run it again after changing the kernels to refresh the figures.
"""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CROSS_FILE = ROOT / 'cross' / 'arm-none-eabi-cortex-m4f.ini'
PROBES = ['materialising_attention_8x8', 'materialising_attention_16x16',
          'streaming_attention_8x8', 'streaming_attention_16x16', 'c_loop_attention_16x16']
FIRMWARE = ['firmware', 'firmware-portable']


def run(*cmd, cwd=ROOT):
    return subprocess.run(cmd, cwd=cwd, check=True, capture_output=True, text=True).stdout


def sections(elf):
    """Section name -> size, from arm-none-eabi-size -A."""
    out = {}
    for line in run('arm-none-eabi-size', '-A', str(elf)).splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[0].startswith('.') and fields[1].isdigit():
            out[fields[0]] = int(fields[1])
    return out


def input_sections(map_file):
    """(output section, address, size, input file) of each input section placed, from a GNU ld map."""
    lines = Path(map_file).read_text().split('\n')
    lines = lines[lines.index('Linker script and memory map'):]
    placed_sections = []
    output_section = None
    # An input section is " .name 0xADDRESS 0xSIZE file", with the name alone on its line when long.
    placed = re.compile(r'\s+0x([0-9a-f]+)\s+0x([0-9a-f]+) (\S.*)$')
    for line, following in zip(lines, lines[1:] + ['']):
        if re.match(r'\.\S', line):
            output_section = line.split()[0]
            continue
        name = re.match(r' (\.\S+)', line)
        if not name or not output_section:
            continue
        m = placed.match(line[name.end():]) or (line == name.group(0) and placed.match(following))
        if m and int(m.group(2), 16) > 0:
            placed_sections.append((output_section, int(m.group(1), 16), int(m.group(2), 16), m.group(3).strip()))
    return placed_sections


def origin(source):
    if 'size_probe.cpp.o' in source:
        return 'cxattn'
    for lib in ('libm', 'libc', 'libgcc'):
        if re.search(rf'/{lib}(_nano)?\.a\(', source):
            return lib
    return 'other'


def defined_functions(path):
    """Name -> address of the functions (text symbols) defined in an ELF or an object file."""
    functions = {}
    for line in run('arm-none-eabi-nm', '--defined-only', '--format=posix', str(path)).splitlines():
        fields = line.split()
        if len(fields) >= 3 and fields[1] in 'tTwW':
            functions[fields[0]] = int(fields[2], 16)
    return functions


def call_graph_stack(ci_files, entry):
    """Static stack of entry: its frame plus the deepest chain of callees with a known frame.

    The call graphs of several translation units join at the names of their global functions.
    Library functions have no figure and count 0; so do indirect calls."""
    frames, edges = {}, {}
    for ci_file in ci_files:
        text = Path(ci_file).read_text()
        for title, label in re.findall(r'node: \{ title: "([^"]+)" label: "([^"]*)"', text):
            m = re.search(r'(\d+) bytes \((static|dynamic|dynamic,bounded)\)', label)
            if m or title not in frames:
                frames[title] = int(m.group(1)) if m else None
        for source, target in re.findall(r'edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)"', text):
            edges.setdefault(source, []).append(target)

    def deepest(node, seen=()):
        if frames.get(node) is None:
            return 0
        return frames[node] + max((deepest(c, seen + (node,)) for c in edges.get(node, []) if c not in seen),
                                  default=0)

    return deepest(next(t for t in frames if t == entry or t.endswith(':' + entry)))


def main():
    build = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else ROOT / 'build-cortex-m4f'
    if not (build / 'build.ninja').exists():
        run('meson', 'setup', str(build), '--cross-file', str(CROSS_FILE))
    run('meson', 'compile', '-C', str(build))
    run('meson', 'compile', '-C', str(build), 'size-probes')
    subprocess.run(['meson', 'test', '-C', str(build), '--suite', 'firmware'], cwd=ROOT, check=False,
                   capture_output=True)
    fw = build / 'examples' / 'firmware'

    high_water = {}
    for line in (build / 'meson-logs' / 'testlog.json').read_text().splitlines():
        test = json.loads(line)
        m = re.search(r'stack: (\d+) of (\d+) bytes', test.get('stdout', ''))
        if m:
            high_water[test['name'].split(' - ')[0]] = (int(m.group(1)), int(m.group(2)))

    compiler = run('arm-none-eabi-g++', '--version').splitlines()[0]
    print(f'Measured with {compiler}, {os.path.relpath(CROSS_FILE, ROOT)}, by scripts/embedded_sizes.py.\n')

    print('| image | .text | .rodata | flash (.text + .rodata) | .data | .bss | RAM (.data + .bss) '
          '| stack reserved | stack used (measured) | stack (static) |')
    print('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
    for name in FIRMWARE:
        s = sections(fw / f'{name}.elf')
        used, reserved = high_water.get(name, (None, None))
        print(f'| `{name}.elf` | {s[".text"]} | {s[".rodata"]} | **{s[".text"] + s[".rodata"]}** '
              f'| {s.get(".data", 0)} | {s.get(".bss", 0)} | **{s.get(".data", 0) + s.get(".bss", 0)}** '
              f'| {reserved if reserved else s.get(".stack", "?")} | {used if used is not None else "?"} '
              f'| {call_graph_stack(sorted((fw / f"{name}.elf.p").glob("*.ci")), "reset_handler")} |')
    print()

    for suffix, title in (('libm', 'CXATTN_RUNTIME_LIBM=1 (exp from newlib\'s libm)'),
                          ('portable', 'CXATTN_RUNTIME_LIBM=0 (cxattn::portable::exp, no libm)')):
        # The probes link the object of size_probe.cpp itself (Meson builds it under the static
        # library's private directory; the archive is not built).
        own = defined_functions(fw / f'libsize-probes-{suffix}.a.p' / 'size_probe.cpp.o')
        print(f'{title}, float, -Os:\n')
        print('| function | cxattn .text | cxattn .rodata | libraries (.text + .rodata) | of which '
              '| stack (static) |')
        print('| --- | ---: | ---: | ---: | --- | ---: |')
        for probe in PROBES:
            elf = fw / f'size-probe-{suffix}-{probe}.elf'
            if not elf.exists():
                continue
            placed_sections = [p for p in input_sections(fw / f'size-probe-{suffix}-{probe}.map')
                               if p[0] in ('.text', '.rodata')]
            by_origin, names = {}, {}
            for out_section, _, size, source in placed_sections:
                key = (origin(source), out_section)
                by_origin[key] = by_origin.get(key, 0) + size
            for name, address in defined_functions(elf).items():
                if name in own:
                    continue
                for _, start, size, source in placed_sections:
                    if start <= address & ~1 < start + size:  # a Thumb function's address has bit 0 set
                        names.setdefault(origin(source), []).append(name)
                        break
            libraries = {}
            for (lib, _), size in by_origin.items():
                if lib != 'cxattn':
                    libraries[lib] = libraries.get(lib, 0) + size
            pulled = []
            for lib, size in sorted(libraries.items()):
                listed = sorted(names.get(lib, []))
                listed = ', '.join(listed) if len(listed) <= 4 else f'{len(listed)} symbols: {", ".join(listed[:2])}, ...'
                pulled.append(f'{lib} {size} ({listed})')
            stack = call_graph_stack([fw / f'libsize-probes-{suffix}.a.p' / 'size_probe.cpp.ci'], probe)
            print(f'| `{probe}` | **{by_origin.get(("cxattn", ".text"), 0)}** | {by_origin.get(("cxattn", ".rodata"), 0)} '
                  f'| {sum(libraries.values())} | {"; ".join(pulled)} | {stack} |')
        print()


if __name__ == '__main__':
    main()
