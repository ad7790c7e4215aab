#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Train the digits example's attention classifier and write its C++ headers.

    /usr/bin/python3 examples/digits/train.py            # rewrites examples/digits/model.hpp, heldout.hpp
    /usr/bin/python3 examples/digits/train.py --check    # exit status 1 if the committed files disagree

The data: scikit-learn's load_digits, 1,797 images of 8 x 8 pixels with values 0..16 (the UCI
optical recognition of handwritten digits test set), split once into 1,437 training and 360
held-out images (train_test_split, 20 %, stratified, random_state 0).

The model reads an image as 8 tokens, its rows, of 8 pixels each, scaled by 1/16:
    tokens = embed(rows / 16) + position                  nn.Linear(8, E), E = 16
    tokens = tokens + attention(tokens, tokens, tokens)   nn.MultiheadAttention(E, 4 heads, batch_first)
    logits = classifier(mean of the tokens)               nn.Linear(E, 10)
The 8 learned position vectors are the weight of an nn.Linear(8, E) without bias (its weight,
E x 8, holds position p in column p: the layer applied to a one-hot position), so that the exporter
writes them as a matrix like the other layers. Without them the tokens would be a set: attention
and the mean do not see the order of the rows.

Training is deterministic (fixed seeds, torch.use_deterministic_algorithms, one thread, CPU) and
takes a few seconds. The state_dict is saved to a temporary directory (--workdir keeps it) and
tools/cxattn_export.py writes model.hpp from it; this script writes heldout.hpp: the held-out
images, their labels, PyTorch's predictions and logits (hex float literals, the exact float32
values) and the tolerance of the comparison. Both headers are committed, so building the example
needs no Python.

The tolerance: PyTorch's float32 logits are compared with its float64 logits of the same weights;
the worst difference over the held-out set is the size of float32's rounding here. cxattn computes
in float with other orders of summation and its own exp, so its difference from PyTorch's float32
logits can reach twice that; the tolerance is four times it, rounded up to a power of two.
Anything but rounding (a wrong layout, a transposed weight, a missed bias) is far larger.

--check trains again into a temporary directory and compares: the images, labels and predictions
must be identical and every logit within the committed tolerance (another CPU or PyTorch version may
round differently, which is then reported); the model's weights are reported with their largest
difference if their bytes differ.

Needs PyTorch, scikit-learn (Debian 12: python3-torch, python3-sklearn; `./scripts/setup.sh model`),
hence /usr/bin/python3, the interpreter that sees Debian's packages.
"""
import argparse
import copy
import filecmp
import math
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
EXPORTER = os.path.join(ROOT, "tools", "cxattn_export.py")

EMBED_DIM = 16
NUM_HEADS = 4
TOKENS = 8  # the rows of an image
PIXELS = 8  # per row
CLASSES = 10
EPOCHS = 80
BATCH = 32
LEARNING_RATE = 5e-3
WEIGHT_DECAY = 0.1
SEED = 0
SPLIT_SEED = 0
HELD_OUT = 0.2


def require_packages():
    missing = []
    for module, package in (("torch", "python3-torch"), ("sklearn", "python3-sklearn")):
        try:
            __import__(module)
        except ImportError:
            missing.append(f"{module} (Debian: {package})")
    if missing:
        sys.exit(f"train.py: missing {', '.join(missing)}; run ./scripts/setup.sh model and use /usr/bin/python3, "
                 f"the interpreter that sees Debian's packages (this is {sys.executable})")


def make_model():
    import torch.nn as nn

    class DigitsClassifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Linear(PIXELS, EMBED_DIM)
            self.position = nn.Linear(TOKENS, EMBED_DIM, bias=False)
            self.attention = nn.MultiheadAttention(EMBED_DIM, NUM_HEADS, batch_first=True)
            self.classifier = nn.Linear(EMBED_DIM, CLASSES)

        def forward(self, images):  # images: N x 8 x 8, pixel values 0..16
            tokens = self.embed(images / 16) + self.position.weight.T
            attended, _ = self.attention(tokens, tokens, tokens, need_weights=False)
            return self.classifier((tokens + attended).mean(dim=1))

    return DigitsClassifier()


def load_data():
    import torch
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    indices = list(range(len(digits.target)))
    train, held_out = train_test_split(indices, test_size=HELD_OUT, random_state=SPLIT_SEED, stratify=digits.target)
    images = torch.tensor(digits.images, dtype=torch.float32)
    labels = torch.tensor(digits.target, dtype=torch.int64)
    return images[train], labels[train], images[held_out], labels[held_out]


def train():
    import torch
    import torch.nn.functional as F

    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    train_images, train_labels, held_images, held_labels = load_data()
    model = make_model()
    optimizer = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE, weight_decay=WEIGHT_DECAY)
    steps_per_epoch = math.ceil(len(train_labels) / BATCH)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=LEARNING_RATE,
                                                   total_steps=EPOCHS * steps_per_epoch)
    order = torch.Generator().manual_seed(SEED + 1)
    model.train()
    for _ in range(EPOCHS):
        permutation = torch.randperm(len(train_labels), generator=order)
        for start in range(0, len(train_labels), BATCH):
            batch = permutation[start:start + BATCH]
            optimizer.zero_grad()
            F.cross_entropy(model(train_images[batch]), train_labels[batch]).backward()
            optimizer.step()
            schedule.step()
    model.eval()
    return model, held_images, held_labels


def hex_float(x):
    """The float32 value x as a C++ hex float literal, the shortest form: 0x1.8p+3f, -0x1p-2f, 0x0p+0f."""
    text = float(x).hex()  # exact: a float32 widened to double
    sign = "-" if text.startswith("-") else ""
    mantissa, exponent = text.lstrip("-")[2:].split("p")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{sign}0x{mantissa}p{exponent}f"


def evaluate(model, held_images):
    import torch

    with torch.no_grad():
        logits = model(held_images)
        exact = copy.deepcopy(model).double()(held_images.double())
    rounding = (logits.double() - exact).abs().max().item()
    return logits, rounding


def tolerance_for(rounding):
    """Four times float32's measured rounding, rounded up to a power of two (see the docstring)."""
    return 2.0 ** math.ceil(math.log2(4 * rounding))


def rows(values, per_line):
    items = [str(v) for v in values]
    return [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]


def heldout_header(images, labels, logits, tolerance, rounding):
    import torch

    predictions = logits.argmax(dim=1)
    correct = int((predictions == labels).sum())
    top2 = logits.topk(2, dim=1).values
    margin = float((top2[:, 0] - top2[:, 1]).min())
    count = len(labels)
    out = [
        "// SPDX-License-Identifier: MIT",
        "// The digits example's held-out set: written by examples/digits/train.py (do not edit; rerun it).",
        f"// {count} images of load_digits held out of training (train_test_split, {HELD_OUT:.0%}, stratified,",
        f"// random_state {SPLIT_SEED}), their labels, and PyTorch's predictions and logits (float32, as hex literals).",
        f"// PyTorch {torch.__version__}: {correct} of {count} correct. Its float32 logits differ from its float64",
        f"// logits of the same weights by at most {rounding:.2e}; the tolerance is four times that, rounded up",
        "// to a power of two (train.py says why). The smallest gap between an image's two largest logits is",
        f"// {margin:.3g}, so logits within the tolerance give the same predictions.",
        "#ifndef DIGITS_HELDOUT_HPP",
        "#define DIGITS_HELDOUT_HPP",
        "",
        "#include <cstddef>",
        "#include <cstdint>",
        "",
        "namespace digits::heldout {",
        "",
        f"inline constexpr std::size_t count = {count};",
        f"inline constexpr std::size_t pytorch_correct = {correct};",
        f"// |cxattn's logit - PyTorch's| must not exceed this (float32 rounding: {rounding:.2e}).",
        f"inline constexpr float logit_tolerance = {hex_float(tolerance)}; // {tolerance:.3g}",
        "",
        "// clang-format off",
        "// Pixel values 0..16, row by row.",
        f"inline constexpr std::uint8_t images[count][{TOKENS * PIXELS}] = {{",
    ]
    for image in images.to(torch.int64).reshape(count, -1).tolist():
        out.append("    {" + ", ".join(str(v) for v in image) + "},")
    out.append("};")
    out.append("inline constexpr std::uint8_t labels[count] = {")
    out += ["    " + line + "," for line in rows(labels.tolist(), 30)]
    out.append("};")
    out.append("inline constexpr std::uint8_t pytorch_predictions[count] = {")
    out += ["    " + line + "," for line in rows(predictions.tolist(), 30)]
    out.append("};")
    out.append(f"inline constexpr float pytorch_logits[count][{CLASSES}] = {{")
    for row in logits.tolist():
        out.append("    {" + ", ".join(hex_float(v) for v in row) + "},")
    out += ["};", "// clang-format on", "", "} // namespace digits::heldout", "", "#endif // DIGITS_HELDOUT_HPP", ""]
    return "\n".join(out), correct, margin


def export(workdir, header):
    """tools/cxattn_export.py on workdir/digits.pt, run in workdir so that the command it records in the
    header names no temporary directory; the header is then moved to `header`."""
    if not os.path.isfile(EXPORTER):
        sys.exit(f"train.py: {os.path.relpath(EXPORTER)} is missing")
    command = [sys.executable, EXPORTER, "digits.pt", "-o", "model.hpp", "--spdx", "MIT", "--namespace",
               "digits::model", "--num-heads", str(NUM_HEADS), "--matrix", "embed", "--matrix", "position",
               "--matrix", "classifier"]
    subprocess.run(command, check=True, cwd=workdir)
    os.replace(os.path.join(workdir, "model.hpp"), header)


def generate(directory, workdir):
    """Train, save the state_dict in workdir, write model.hpp and heldout.hpp into directory."""
    import torch

    model, held_images, held_labels = train()
    checkpoint = os.path.join(workdir, "digits.pt")
    torch.save(model.state_dict(), checkpoint)
    export(workdir, os.path.join(directory, "model.hpp"))
    logits, rounding = evaluate(model, held_images)
    tolerance = tolerance_for(rounding)
    text, correct, margin = heldout_header(held_images, held_labels, logits, tolerance, rounding)
    with open(os.path.join(directory, "heldout.hpp"), "w", encoding="utf-8") as f:
        f.write(text)
    print(f"train.py: PyTorch {correct}/{len(held_labels)} held-out images correct "
          f"({100 * correct / len(held_labels):.1f} %); float32 rounding {rounding:.2e}, "
          f"tolerance {tolerance:.3g}, smallest top-2 gap {margin:.3g}")
    if margin <= 2 * tolerance:
        sys.exit("train.py: two logits of an image are within twice the tolerance: predictions could flip")


HEX_FLOAT = re.compile(r"-?0x[0-9a-fA-F.]+p[-+]?\d+")


def numbers(text):
    """The hexadecimal floating literals of a header, in order: the values (comments hold none)."""
    return [float.fromhex(s) for s in HEX_FLOAT.findall(text)]


def parse_heldout(text):
    def block(name):
        body = re.search(name + r"\[[^]]*\](?:\[\d+\])? = \{(.*?)\n\};", text, re.S)
        return body.group(1)

    tolerance = float.fromhex(re.search(r"logit_tolerance = (\S+)f;", text).group(1))
    integers = lambda s: [int(v) for v in re.findall(r"\d+", s)]  # noqa: E731
    return {"images": integers(block("images")), "labels": integers(block("labels")),
            "predictions": integers(block("pytorch_predictions")), "logits": numbers(block("pytorch_logits")),
            "tolerance": tolerance}


def check(workdir):
    failures = []
    with tempfile.TemporaryDirectory(prefix="digits-check-") as fresh:
        generate(fresh, workdir)
        for name in ("model.hpp", "heldout.hpp"):
            if filecmp.cmp(os.path.join(fresh, name), os.path.join(HERE, name), shallow=False):
                print(f"train.py --check: {name} is identical")
                continue
            with open(os.path.join(fresh, name), encoding="utf-8") as f:
                new = f.read()
            with open(os.path.join(HERE, name), encoding="utf-8") as f:
                old = f.read()
            if name == "model.hpp":
                a, b = numbers(new), numbers(old)
                if len(a) != len(b):
                    failures.append(f"{name}: {len(a)} numbers, the committed file has {len(b)}")
                    continue
                worst = max(abs(x - y) for x, y in zip(a, b))
                if worst == 0:
                    print(f"train.py --check: {name}'s bytes differ but its weights are identical "
                          f"(the exporter writes other comments)")
                else:
                    print(f"train.py --check: {name}'s bytes differ; its weights differ by at most {worst:.2e} "
                          f"(training rounded differently here)")
                continue
            new, old = parse_heldout(new), parse_heldout(old)
            differing = [key for key in ("images", "labels", "predictions") if new[key] != old[key]]
            failures += [f"heldout.hpp: the {key} differ" for key in differing]
            if len(new["logits"]) != len(old["logits"]):
                failures.append("heldout.hpp: the number of logits differs")
                continue
            worst = max(abs(x - y) for x, y in zip(new["logits"], old["logits"]))
            if worst > old["tolerance"]:
                failures.append(f"heldout.hpp: logits differ by up to {worst:.2e}, beyond the tolerance "
                                f"{old['tolerance']:.3g}")
            elif not differing:
                same_tolerance = "the same" if new["tolerance"] == old["tolerance"] else f"here {new['tolerance']:.3g}"
                print(f"train.py --check: heldout.hpp's bytes differ; images, labels and predictions identical, "
                      f"logits within {worst:.2e} of the committed ones (tolerance {old['tolerance']:.3g}, "
                      f"{same_tolerance})")
    for failure in failures:
        print(f"train.py --check: FAIL: {failure}")
    return 1 if failures else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="regenerate into a temporary directory and compare with the committed files")
    parser.add_argument("--workdir", help="keep the checkpoint (digits.pt) here instead of a temporary directory")
    args = parser.parse_args()
    require_packages()
    with tempfile.TemporaryDirectory(prefix="digits-train-") as scratch:
        workdir = args.workdir or scratch
        os.makedirs(workdir, exist_ok=True)
        if args.check:
            return check(workdir)
        generate(HERE, workdir)
        print(f"train.py: wrote {os.path.relpath(os.path.join(HERE, 'model.hpp'))}, "
              f"{os.path.relpath(os.path.join(HERE, 'heldout.hpp'))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
