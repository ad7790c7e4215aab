#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Plot the run-time benchmark: time per call against N for cxattn, Eigen, OpenBLAS and the notebook's loops.

    python3 scripts/plot_benchmarks.py [docs/benchmarks-runtime/gcc12.txt] [docs/benchmarks-runtime.svg]

Reads the table that benchmarks/runtime/runtime_benchmark prints at the end of its output (the
committed raw output, docs/benchmarks-runtime/gcc12.txt) and writes an SVG with log-log axes, float as
solid lines and double as dashed ones. No dependency beyond the standard library, so that the plot
can be regenerated wherever the benchmark runs.
"""
import math
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCE = os.path.join(ROOT, "docs", "benchmarks-runtime", "gcc12.txt")
TARGET = os.path.join(ROOT, "docs", "benchmarks-runtime.svg")

# Columns of the table (see table_reporter in benchmarks/runtime/runtime_benchmark.cpp).
COLUMNS = ["cxattn", "streaming", "eigen", "openblas", "naive"]
# "cxattn" is the public call (scaled_dot_product_attention), which runs the kernels at run time.
SERIES = [("cxattn", "cxattn", "#1f77b4"), ("eigen", "Eigen 3.4", "#d62728"), ("openblas", "OpenBLAS", "#2ca02c"),
          ("naive", "notebook loops", "#7f7f7f")]


def read_table(path):
    """{(type, N): {column: ns}} for the square cases of the table."""
    rows = {}
    for line in open(path):
        m = re.match(r"^(float|double) N=(\d+)\s+(.*)$", line.rstrip())
        if not m or "causal" in line:
            continue
        values = m.group(3).split()
        if len(values) < len(COLUMNS):
            continue
        rows[(m.group(1), int(m.group(2)))] = {c: float(v) for c, v in zip(COLUMNS, values)}
    return rows


def machine_line(path):
    """The processor, the compiler and the measured peak, as the benchmark printed them."""
    parts = []
    for line in open(path):
        if line.startswith(("processor:", "compiler:", "single-core peak:")):
            parts.append(line.strip().split("; OpenBLAS")[0])
    return "; ".join(parts)


def series_svg(points, x, y, colour, dash, legend, label):
    """SVG elements of one series: its line through the (N, value) points, mapped by x and y, a dot
    per point, and its legend entry (a stroke and the label) at legend = (x, y)."""
    path = " ".join(f"{x(n):.1f},{y(t):.1f}" for n, t in points)
    lx, ly = legend
    return ([f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>'] +
            [f'<circle cx="{x(n):.1f}" cy="{y(t):.1f}" r="3" fill="{colour}"/>' for n, t in points] +
            [f'<line x1="{lx}" x2="{lx + 30}" y1="{ly}" y2="{ly}" stroke="{colour}" stroke-width="2"{dash}/>',
             f'<text x="{lx + 38}" y="{ly + 4}">{label}</text>'])


def frame_svg(width, height, left, right, top, bottom):
    """SVG elements of the plot area's frame and the x axis's title, N."""
    return [f'<text x="{(left + width - right) / 2:.1f}" y="{height - 18}" text-anchor="middle">N</text>',
            f'<rect x="{left}" y="{top}" width="{width - left - right}" height="{height - top - bottom}" '
            f'fill="none" stroke="#333"/>']


def write_svg(target, svg):
    with open(target, "w") as f:
        f.write(svg)
    print(f"wrote {target}")


def plot(rows, subtitle):
    lines = subtitle.split("; ")
    width, height = 860, 520 + 14 * len(lines)
    left, right, top, bottom = 80, 260, 40 + 14 * len(lines), 60
    ns = sorted({n for _, n in rows})
    times = [v[c] for v in rows.values() for c, _, _ in SERIES if c in v and v[c] == v[c] and v[c] > 0]
    x_lo, x_hi = math.log2(min(ns)) - 0.2, math.log2(max(ns)) + 0.2
    y_lo = math.floor(math.log10(min(times)))
    y_hi = math.ceil(math.log10(max(times)))

    def x(n):
        return left + (math.log2(n) - x_lo) / (x_hi - x_lo) * (width - left - right)

    def y(t):
        return top + (y_hi - math.log10(t)) / (y_hi - y_lo) * (height - top - bottom)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="13">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{left}" y="22" font-size="16">Attention, L = S = Dk = Dv = N: time per call '
           f'(log scales)</text>',
           ] + [f'<text x="{left}" y="{38 + 14 * i}" font-size="11" fill="#555">{line}</text>'
                for i, line in enumerate(lines)]
    for e in range(y_lo, y_hi + 1):
        yy = y(10 ** e)
        label = {0: "1 ns", 1: "10 ns", 2: "100 ns", 3: "1 us", 4: "10 us", 5: "100 us", 6: "1 ms",
                 7: "10 ms"}.get(e, f"1e{e} ns")
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 8}" y="{yy + 4:.1f}" text-anchor="end">{label}</text>')
    for n in ns:
        xx = x(n)
        out.append(f'<line x1="{xx:.1f}" x2="{xx:.1f}" y1="{top}" y2="{height - bottom}" stroke="#eee"/>')
        out.append(f'<text x="{xx:.1f}" y="{height - bottom + 18}" text-anchor="middle">{n}</text>')
    out += frame_svg(width, height, left, right, top, bottom)
    legend_y = top + 10
    for type_, dash in (("float", ""), ("double", ' stroke-dasharray="6,4"')):
        for column, name, colour in SERIES:
            points = [(n, rows[(type_, n)][column]) for n in ns
                      if (type_, n) in rows and rows[(type_, n)][column] == rows[(type_, n)][column]]
            if not points:
                continue
            out += series_svg(points, x, y, colour, dash, (width - right + 15, legend_y), f"{name}, {type_}")
            legend_y += 20
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    source = sys.argv[1] if len(sys.argv) > 1 else SOURCE
    target = sys.argv[2] if len(sys.argv) > 2 else TARGET
    rows = read_table(source)
    if not rows:
        sys.exit(f"{source}: no table of the runtime benchmark found")
    write_svg(target, plot(rows, machine_line(source)))


if __name__ == "__main__":
    main()
