#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Draw a held-out digit next to its attention weights, one 8 x 8 map per head.

    ./build/examples/digits/digits --attention 0 | /usr/bin/python3 examples/digits/plot_attention.py [OUTPUT.png]

Reads the C++ example's output on stdin (the image's pixels, then each head's weights, computed by
cxattn at run time: row i says how much token i, the image's row i, takes from each row) and
writes docs/digits-attention-weights.png, or OUTPUT.png. Needs matplotlib: Debian's
python3-matplotlib (`./scripts/setup.sh docs`), hence /usr/bin/python3, the interpreter that sees
Debian's packages.
"""
import os
import re
import sys

import matplotlib

matplotlib.use("Agg")  # no display: write the file only
import matplotlib.pyplot as plt  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TARGET = os.path.join(ROOT, "docs", "digits-attention-weights.png")


def parse(text):
    """(the header line's numbers, the 8 x 8 pixels, [each head's 8 x 8 weights])."""
    match = re.search(r"image (\d+): label (\d+), predicted (\d+), PyTorch predicted (\d+)", text)
    if not match or "pixels" not in text:
        sys.exit("plot_attention.py: no 'digits --attention N' output on stdin")
    index, label, predicted, _ = (int(g) for g in match.groups())
    blocks = re.split(r"^(?:pixels|head \d+ weights).*:\n", text, flags=re.M)[1:]
    matrices = [[[float(v) for v in line.split()] for line in block.strip().splitlines()] for block in blocks]
    if len(matrices) < 2 or any(len(m) != 8 or any(len(r) != 8 for r in m) for m in matrices):
        sys.exit("plot_attention.py: expected the 8 x 8 pixels and 8 x 8 weights per head")
    return (index, label, predicted), matrices[0], matrices[1:]


def main():
    target = sys.argv[1] if len(sys.argv) > 1 else TARGET
    (index, label, predicted), pixels, heads = parse(sys.stdin.read())
    fig, axes = plt.subplots(1, 1 + len(heads), figsize=(2.1 * (1 + len(heads)) + 0.6, 2.75), dpi=100)
    axes[0].imshow(pixels, cmap="gray_r", vmin=0, vmax=16)
    axes[0].set_title(f"held-out image {index}\nlabel {label}, predicted {predicted}", fontsize=9)
    axes[0].set_yticks(range(8), [f"row {r}" for r in range(8)], fontsize=7)
    axes[0].set_xticks([])
    for h, (ax, weights) in enumerate(zip(axes[1:], heads)):
        image = ax.imshow(weights, cmap="Blues", vmin=0, vmax=1)
        ax.set_title(f"head {h}", fontsize=9)
        ax.set_xticks(range(8), [str(k) for k in range(8)], fontsize=7)
        ax.set_yticks(range(8), [str(q) for q in range(8)] if h == 0 else [], fontsize=7)
        ax.set_xlabel("key row", fontsize=8)
        if h == 0:
            ax.set_ylabel("query row", fontsize=8)
    for ax in axes:
        ax.tick_params(length=0)
    fig.suptitle("The digits classifier in cxattn: each row of the image is a token; each head's weights, a row sums to 1",
                 fontsize=9)
    fig.colorbar(image, ax=list(axes[1:]), fraction=0.012, pad=0.02)
    fig.savefig(target, metadata={"Software": None}, bbox_inches="tight")
    print(f"plot_attention.py: wrote {os.path.relpath(target)}")


if __name__ == "__main__":
    main()
