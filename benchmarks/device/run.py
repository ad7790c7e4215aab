#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Runs the device benchmark's images under QEMU and prints its tables (docs/embedded.md).

    run.py --check IMAGE
        runs IMAGE under qemu-system-arm -icount shift=5, prints what it prints, exits with its status
        (non-zero when the calibration is off by more than 1 % or a contender disagrees).
    run.py --size ARM_NONE_EABI_SIZE --probes DIR IMAGE...
        runs every IMAGE (device-benchmark-<config>.elf) and prints, per configuration, Markdown
        tables of instructions per call, stack bytes and code bytes (.text + .rodata of each
        contender linked alone: DIR/device-probe-<config>-<contender>-<shape>.elf; of a program with
        one, two and three shapes: DIR/device-shapes-<config>-<contender>-<n>.elf).

Meson runs the second form: `meson compile -C build-cortex-m4f device-benchmark`.
"""
import argparse
import re
import subprocess
import sys
from pathlib import Path

ICOUNT_SHIFT = 5  # device_benchmark.cpp converts SysTick ticks with the same shift
QEMU = ['qemu-system-arm', '-machine', 'mps2-an386', '-nodefaults', '-display', 'none',
        '-chardev', 'stdio,id=semihosting',
        '-semihosting-config', 'enable=on,target=native,chardev=semihosting',
        '-icount', f'shift={ICOUNT_SHIFT}', '-kernel']
NAMES = {'loops': 'C loops, expf', 'eigen': 'Eigen 3.4', 'cmsis_nn': 'CMSIS-NN',
         'cxattn': 'cxattn', 'cxattn_streaming': 'cxattn streaming',
         'cxattn_constexpr': 'cxattn, CXATTN_RUNTIME_KERNELS=0'}
PEERS = ['loops', 'eigen', 'cmsis_nn']


def run(image):
    result = subprocess.run(QEMU + [str(image)], capture_output=True, text=True, timeout=300)
    return result.returncode, result.stdout


def parse(output):
    """(contender, shape) -> (instructions, stack bytes)."""
    rows = {}
    for line in output.splitlines():
        m = re.match(r'^(\w+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) ', line)
        if m:
            shape = 'x'.join(m.group(i) for i in range(2, 6))
            rows[(m.group(1), shape)] = (int(m.group(6)), int(m.group(7)))
    return rows


def code_bytes(size_tool, elf):
    out = subprocess.run([size_tool, '-A', str(elf)], capture_output=True, text=True, check=True).stdout
    total = 0
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] in ('.text', '.rodata'):
            total += int(parts[1])
    return total


def shape_title(shape):
    l, s, dk, dv = shape.split('x')
    return f'N = {l}' if l == s == dk == dv else f'L = {l}, S = {s}, Dk = Dv = {dk}'


def table(title, contenders, shapes, cell):
    print(f'\n{title}\n')
    print('| contender | ' + ' | '.join(shape_title(s) for s in shapes) + ' |')
    print('| --- |' + ' ---: |' * len(shapes))
    for c in contenders:
        print(f'| {NAMES.get(c, c)} | ' + ' | '.join(cell(c, s) for s in shapes) + ' |')


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--check', metavar='IMAGE')
    parser.add_argument('--size')
    parser.add_argument('--probes')
    parser.add_argument('images', nargs='*')
    args = parser.parse_args()
    if args.check:
        status, output = run(args.check)
        print(output, end='')
        return status

    failed = False
    for image in args.images:
        config = Path(image).stem.removeprefix('device-benchmark-')
        status, output = run(image)
        if status != 0:
            print(output, end='')
            print(f'run.py: {image} exited with status {status}', file=sys.stderr)
            failed = True
            continue
        rows = parse(output)
        contenders = list(dict.fromkeys(c for c, _ in rows))
        shapes = list(dict.fromkeys(s for _, s in rows))
        optimization, exp = config.split('-')
        print(f'\n### -{optimization}, exp from ' + ('newlib (libm)' if exp == 'libm' else 'cxattn::portable (CXATTN_RUNTIME_LIBM=0, no libm)'))
        print('\n' + output.splitlines()[0])
        table('Instructions per call:', contenders, shapes, lambda c, s: f'{rows[(c, s)][0]:,}')
        peers = [c for c in PEERS if c in contenders]
        if peers:
            def ratio(c, s):
                best = min(rows[(p, s)][0] for p in peers)
                return f'{rows[(c, s)][0] / best:.2f}'
            table('Instructions / the best peer\'s:', [c for c in contenders if c not in peers], shapes, ratio)
        table('Stack bytes (the call\'s, measured):', contenders, shapes, lambda c, s: f'{rows[(c, s)][1]:,}')
        sizes = {}
        for c in contenders:
            for s in shapes:
                sizes[(c, s)] = code_bytes(args.size, Path(args.probes) / f'device-probe-{config}-{c}-{s}.elf')
        table('Code bytes (.text + .rodata, the call linked alone):', contenders, shapes,
              lambda c, s: f'{sizes[(c, s)]:,}')
        programs = {(c, n): code_bytes(args.size, Path(args.probes) / f'device-shapes-{config}-{c}-{n}.elf')
                    for c in contenders for n in (1, 2, 3)}
        print('\nCode bytes of a program with one, two and three shapes (N = 16; N = 16 and 8; N = 16, 8 and 32):\n')
        print('| contender | 1 shape | 2 shapes | 3 shapes | 3 shapes / 1 |')
        print('| --- | ---: | ---: | ---: | ---: |')
        for c in contenders:
            one, two, three = (programs[(c, n)] for n in (1, 2, 3))
            print(f'| {NAMES.get(c, c)} | {one:,} | {two:,} | {three:,} | {three / one:.2f} |')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
