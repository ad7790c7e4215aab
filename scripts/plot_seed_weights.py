#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Draw the attention weights of the seed example as a heatmap (the README's picture).

    ./build/examples/seed_attention | /usr/bin/python3 scripts/plot_seed_weights.py [OUTPUT.png]

Reads the example's printed output on stdin (the numpy notebook's format: "Attention Weights:"
followed by the L x S matrix) and writes docs/seed-attention-weights.png, or OUTPUT.png. Needs
matplotlib: Debian's python3-matplotlib (`./scripts/setup.sh docs`), hence /usr/bin/python3, the
interpreter that sees Debian's packages.
"""
import os
import re
import sys

import matplotlib

matplotlib.use("Agg")  # no display: write the file only
import matplotlib.pyplot as plt  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.path.join(ROOT, "docs", "seed-attention-weights.png")


def read_weights(text):
    """The rows of the block after 'Attention Weights:', up to the blank line."""
    block = text.split("Attention Weights:", 1)[1].strip().split("\n\n", 1)[0]
    rows = [[float(x) for x in re.findall(r"[-+0-9.e]+", line)] for line in block.splitlines()]
    if not rows or any(len(r) != len(rows[0]) for r in rows):
        sys.exit("plot_seed_weights.py: no L x S matrix after 'Attention Weights:' on stdin")
    return rows


def main():
    target = sys.argv[1] if len(sys.argv) > 1 else TARGET
    weights = read_weights(sys.stdin.read())
    rows, cols = len(weights), len(weights[0])
    fig, ax = plt.subplots(figsize=(5.2, 3.9), dpi=100)
    image = ax.imshow(weights, cmap="Blues", vmin=0, vmax=1)
    for i in range(rows):
        for j in range(cols):
            w = weights[i][j]
            ax.text(j, i, f"{w:.3f}", ha="center", va="center", fontsize=12, color="white" if w > 0.45 else "black")
    ax.set_xticks(range(cols), [f"key {j}" for j in range(cols)])
    ax.set_yticks(range(rows), [f"query {i}" for i in range(rows)])
    ax.tick_params(length=0)
    ax.set_title("Seed example: attention weights\nsoftmax(Q K^T / sqrt(4)), each row sums to 1", fontsize=11)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    fig.tight_layout()
    fig.savefig(target, metadata={"Software": None})
    print(f"plot_seed_weights.py: wrote {os.path.relpath(target)}")


if __name__ == "__main__":
    main()
