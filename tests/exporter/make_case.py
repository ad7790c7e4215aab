#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Build one nn.MultiheadAttention test case for tools/cxattn_export.py (tests/exporter/meson.build).

    make_case.py CASE OUTDIR EXPORTER    writes OUTDIR/case_CASE.pt (the checkpoint),
                                         OUTDIR/case_CASE_params.hpp (the exporter's header, written
                                         by running EXPORTER as a subprocess, the real command line)
                                         and OUTDIR/case_CASE.hpp (fixed random inputs and PyTorch's
                                         outputs, hexadecimal literals)
    make_case.py --list OUTPUT CASE...   writes OUTPUT, which includes every case's header and
                                         lists them as exporter_test::all_cases

The module is built with a fixed seed, every parameter drawn from U(-0.5, 0.5) (PyTorch's own
initialisation leaves the biases zero, which would not test them), and run in eval mode with
need_weights=True, average_attn_weights=True, batch size 1. Runs with an interpreter that has torch.
"""
import os
import subprocess
import sys

# name: the module's configuration, how it is saved, and what the exporter is asked.
#   e, heads, kdim, vdim, bias, batch_first, dtype: nn.MultiheadAttention's arguments
#   kv_heads: the key/value projections repeat each of kv_heads head blocks (grouped-query)
#   form: "module" (torch.save of the whole module) or "state_dict"
#   nested: the attention is inside a model class of this script (pickled by name: the exporter
#           cannot import it), at this path
#   zero_attn: add_zero_attn=True, exported with --zero-attn-sink and called with the sink it writes
#   l, s: the query and key lengths; args: extra exporter arguments
CASES = {
    "basic": dict(e=8, heads=2, l=3, s=4, form="module", namespace=None),
    "heads4_state_dict": dict(e=16, heads=4, l=4, s=4, batch_first=True, form="state_dict", args=["--num-heads", "4"]),
    "one_head": dict(e=4, heads=1, l=2, s=3, form="state_dict", args=["--num-heads", "1"]),
    "nested_encoder": dict(e=8, heads=2, l=4, s=4, form="module", nested="layers.0.self_attn",
                           args=["--module", "layers.0.self_attn", "--matrix", "embed", "--matrix", "layers.0.linear1",
                                 "--matrix", "layers.0.norm1"]),
    "cross_kdim_vdim": dict(e=8, heads=2, kdim=5, vdim=3, l=3, s=4, batch_first=True, form="module"),
    "no_bias": dict(e=8, heads=4, bias=False, l=4, s=3, form="state_dict", args=["--num-heads", "4"]),
    "no_bias_cross": dict(e=12, heads=3, kdim=6, vdim=7, bias=False, l=2, s=4, form="module"),
    "gqa_repeated_kv": dict(e=16, heads=4, kv_heads=2, l=4, s=4, form="module", args=["--kv-heads", "2"]),
    "mqa_cross_state_dict": dict(e=8, heads=4, kv_heads=1, kdim=6, vdim=5, l=3, s=4, form="state_dict",
                                 args=["--num-heads", "4", "--kv-heads", "auto"]),
    "zero_attn_sink": dict(e=8, heads=2, l=3, s=3, zero_attn=True, form="module", args=["--zero-attn-sink"]),
    "double": dict(e=8, heads=2, l=3, s=4, batch_first=True, dtype="float64", form="module"),
    "double_cross_state_dict": dict(e=6, heads=3, kdim=4, vdim=2, l=4, s=2, dtype="float64", form="state_dict",
                                    args=["--num-heads", "3"]),
}


def literal(x, ctype):
    import re
    return re.sub(r"\.?0*p", "p", float.hex(x)) + ("f" if ctype == "float" else "")


def matrix(ctype, name, tensor):
    rows, cols = tensor.shape
    values = [float(v) for v in tensor.reshape(-1).tolist()]
    lines = [", ".join(literal(v, ctype) for v in values[r * cols:(r + 1) * cols]) for r in range(rows)]
    return (f"    static constexpr cxattn::matrix<{ctype}, {rows}, {cols}> {name}{{\n        " +
            ",\n        ".join(lines) + "};")


def build(name, c, outdir, exporter):
    import torch

    torch.manual_seed(1000 + sorted(CASES).index(name))
    dtype = getattr(torch, c.get("dtype", "float32"))
    e, heads = c["e"], c["heads"]
    kdim, vdim = c.get("kdim", e), c.get("vdim", e)
    batch_first = c.get("batch_first", False)
    options = dict(bias=c.get("bias", True), kdim=kdim, vdim=vdim, batch_first=batch_first,
                   add_zero_attn=c.get("zero_attn", False))
    if "nested" in c:
        model = Encoder(e, heads)
        attn = model.get_submodule(c["nested"])
    else:
        model = attn = torch.nn.MultiheadAttention(e, heads, **options)
    model = model.to(dtype).eval()
    with torch.no_grad():
        for p in model.parameters():
            p.uniform_(-0.5, 0.5)
        if "kv_heads" in c:  # grouped-query: key/value head blocks repeated (repeat_interleave)
            head_dim, group = e // heads, heads // c["kv_heads"]
            for t in ([attn.in_proj_weight[e:2 * e], attn.in_proj_weight[2 * e:]] if attn._qkv_same_embed_dim
                      else [attn.k_proj_weight, attn.v_proj_weight]) + \
                    ([attn.in_proj_bias[e:2 * e], attn.in_proj_bias[2 * e:]] if attn.in_proj_bias is not None else []):
                for h in range(heads):
                    base = h // group * group
                    t[h * head_dim:(h + 1) * head_dim] = t[base * head_dim:(base + 1) * head_dim].clone()

    checkpoint = os.path.join(outdir, f"case_{name}.pt")
    torch.save(model if c["form"] == "module" else model.state_dict(), checkpoint)
    params_header = f"case_{name}_params.hpp"
    namespace = c.get("namespace", f"exported_{name}")
    command = [sys.executable, exporter, checkpoint, "-o", os.path.join(outdir, params_header)]
    command += (["--namespace", namespace] if namespace else []) + c.get("args", [])
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"make_case.py: {' '.join(command)} failed ({done.returncode}): {done.stderr.strip()}")

    g = torch.Generator().manual_seed(7)
    l, s = c["l"], c["s"]
    query = torch.randn(l, e, generator=g, dtype=torch.float64).to(dtype)
    key = torch.randn(s, kdim, generator=g, dtype=torch.float64).to(dtype)
    value = torch.randn(s, vdim, generator=g, dtype=torch.float64).to(dtype)
    batch = (lambda x: x.unsqueeze(0)) if batch_first else (lambda x: x.unsqueeze(1))
    with torch.no_grad():
        output, weights = attn(batch(query), batch(key), batch(value), need_weights=True, average_attn_weights=True)
    output = output[0] if batch_first else output[:, 0]
    weights = weights[0][:, :s]  # with add_zero_attn, PyTorch's last column is the zero key's

    ctype = "double" if dtype == torch.float64 else "float"
    obj = c.get("nested", "").replace(".", "_") or "mha"
    kv_heads = c.get("kv_heads", heads)
    text = [
        "// SPDX-License-Identifier: MIT",
        f"// Generated by tests/exporter/make_case.py {name}: the exporter's parameters ({params_header}) with",
        "// fixed random inputs and what PyTorch's nn.MultiheadAttention returned for them (eval mode,",
        f"// need_weights=True, average_attn_weights=True, one batch). PyTorch {torch.__version__}.",
        f"#ifndef CXATTN_TEST_EXPORTER_CASE_{name.upper()}_HPP",
        f"#define CXATTN_TEST_EXPORTER_CASE_{name.upper()}_HPP",
        "",
        "#include <cxattn/matrix.hpp>",
        "#include <cxattn/multi_head.hpp>",
        "",
        f'#include "{params_header}"',
        "",
        "namespace exporter_test {",
        "",
        "// clang-format off",
        f"struct case_{name} {{",
        f"    using T = {ctype};",
        f'    static constexpr const char* name = "{name}";',
        f"    static constexpr const auto& params = {namespace or 'model'}::{obj};",
        f"    using expected_params = cxattn::mha_params<{ctype}, {e}, {heads}, {kdim}, {vdim}, {kv_heads}>;",
        "    template <class Q, class K, class V, class P>",
        "    static constexpr auto attend(const Q& q, const K& k, const V& v, const P& p) {",
        "        return cxattn::multi_head_attention(q, k, v, p" +
        (f", {namespace}::{obj}_zero_attn" if c.get("zero_attn") else "") + ");",
        "    }",
        matrix(ctype, "query", query),
        matrix(ctype, "key", key),
        matrix(ctype, "value", value),
        matrix(ctype, "output", output),
        matrix(ctype, "weights", weights),
        "};",
        "// clang-format on",
        "",
        "} // namespace exporter_test",
        "",
        "#endif",
        "",
    ]
    with open(os.path.join(outdir, f"case_{name}.hpp"), "w", encoding="utf-8") as f:
        f.write("\n".join(text))


def encoder_class():
    import torch

    class Encoder(torch.nn.Module):
        """A model class of this script: torch.save pickles it by name (__main__.Encoder)."""

        def __init__(self, e, heads):
            super().__init__()
            self.embed = torch.nn.Linear(e, e)
            self.layers = torch.nn.ModuleList([torch.nn.TransformerEncoderLayer(e, heads, dim_feedforward=16)])
            self.pool = torch.nn.MultiheadAttention(e, heads)

    return Encoder


def write_list(output, names):
    text = ["// SPDX-License-Identifier: MIT",
            "// Generated by tests/exporter/make_case.py --list: every case of the exporter's tests.",
            "#ifndef CXATTN_TEST_EXPORTER_CASES_HPP", "#define CXATTN_TEST_EXPORTER_CASES_HPP", ""]
    text += [f'#include "case_{n}.hpp"' for n in names]
    text += ["", "namespace exporter_test {", "template <class... Cases> struct case_list {};",
             f"using all_cases = case_list<{', '.join('case_' + n for n in names)}>;",
             "} // namespace exporter_test", "", "#endif", ""]
    with open(output, "w", encoding="utf-8") as f:
        f.write("\n".join(text))


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "--list":
        write_list(sys.argv[2], sys.argv[3:])
        sys.exit(0)
    if len(sys.argv) != 4 or sys.argv[1] not in CASES:
        sys.exit(f"usage: make_case.py CASE OUTDIR EXPORTER (CASE one of {', '.join(CASES)})\n"
                 "       make_case.py --list OUTPUT CASE...")
    Encoder = encoder_class()
    Encoder.__module__ = "__main__"
    Encoder.__qualname__ = "Encoder"
    build(sys.argv[1], CASES[sys.argv[1]], sys.argv[2], sys.argv[3])
