#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Plot the device benchmark: instructions per call against N on the Cortex-M4F, per contender.

    python3 scripts/plot_device_benchmark.py [docs/embedded-device-benchmark.txt] [docs/embedded-device.svg]

Reads the "Instructions per call" tables of the -O2 and -Os runs with newlib's exp from the
committed output of benchmarks/device/run.py and writes an SVG: log-log axes, -O2 solid and -Os
dashed, the square shapes only. Standard library only.
"""
import math
import os
import re
import sys

# The same frame, lines, dots and legend as the host benchmark's plot.
from plot_benchmarks import frame_svg, series_svg, write_svg

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCE = os.path.join(ROOT, 'docs', 'embedded-device-benchmark.txt')
TARGET = os.path.join(ROOT, 'docs', 'embedded-device.svg')
COLOURS = {'cxattn': '#1f77b4', 'cxattn streaming': '#17becf', 'C loops, expf': '#7f7f7f',
           'Eigen 3.4': '#d62728', 'CMSIS-NN': '#2ca02c', 'cxattn, CXATTN_RUNTIME_KERNELS=0': '#9467bd'}
RUNS = [('-O2', 'newlib', ''), ('-Os', 'newlib', ' stroke-dasharray="6,4"')]


def read(path):
    """{(flags, contender): {N: instructions}} from the square columns of each run's first table."""
    series, run, header = {}, None, None
    for line in open(path):
        heading = re.match(r'^### (-O\w), exp from (\w+)', line)
        if heading:
            run, header = (heading.group(1), heading.group(2)), None
        elif line.startswith('Instructions per call') and run:
            header = []
        elif header == [] and line.startswith('| contender |'):
            header = [int(n) if n else None for n in re.findall(r'N = (\d+)|\| L = ', line)]
        elif header and line.startswith('| ') and not line.startswith('| ---'):
            cells = [c.strip() for c in line.strip().strip('|').split('|')]
            series[run + (cells[0],)] = {n: int(v.replace(',', '')) for n, v in zip(header, cells[1:]) if n}
        elif header and not line.strip().startswith('|') and line.strip():
            run, header = None, None
    return series


def plot(series):
    width, height, left, right, top, bottom = 960, 520, 80, 340, 50, 60
    ns = sorted({n for points in series.values() for n in points})
    values = [v for points in series.values() for v in points.values()]
    y_lo, y_hi = math.floor(math.log10(min(values))), math.ceil(math.log10(max(values)))
    x_lo, x_hi = math.log2(ns[0]) - 0.2, math.log2(ns[-1]) + 0.2
    px = lambda n: left + (math.log2(n) - x_lo) / (x_hi - x_lo) * (width - left - right)
    py = lambda v: top + (y_hi - math.log10(v)) / (y_hi - y_lo) * (height - top - bottom)
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" '
           f'font-size="13">', f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{left}" y="22" font-size="16">Attention on the Cortex-M4F, float, L = S = Dk = Dv = N: '
           f'instructions per call (log scales)</text>',
           f'<text x="{left}" y="38" font-size="11" fill="#555">QEMU mps2-an386 -icount shift=5; '
           f'arm-none-eabi-g++ 12.2, newlib expf; benchmarks/device/run.py</text>']
    for e in range(y_lo, y_hi + 1):
        svg.append(f'<line x1="{left}" x2="{width - right}" y1="{py(10 ** e):.1f}" y2="{py(10 ** e):.1f}" stroke="#ddd"/>')
        svg.append(f'<text x="{left - 8}" y="{py(10 ** e) + 4:.1f}" text-anchor="end">1e{e}</text>')
    for n in ns:
        svg.append(f'<text x="{px(n):.1f}" y="{height - bottom + 18}" text-anchor="middle">{n}</text>')
    svg += frame_svg(width, height, left, right, top, bottom)
    legend_y = top + 10
    for flags, exp, dash in RUNS:
        for name, colour in COLOURS.items():
            points = sorted(series.get((flags, exp, name), {}).items())
            if not points:
                continue
            svg += series_svg(points, px, py, colour, dash, (width - right + 15, legend_y), f'{name}, {flags}')
            legend_y += 20
    svg.append('</svg>')
    return '\n'.join(svg) + '\n'


def main():
    source = sys.argv[1] if len(sys.argv) > 1 else SOURCE
    target = sys.argv[2] if len(sys.argv) > 2 else TARGET
    series = read(source)
    if not series:
        sys.exit(f'{source}: no table of the device benchmark found')
    write_svg(target, plot(series))


if __name__ == '__main__':
    main()
