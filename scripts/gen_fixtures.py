#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Reference fixtures for tests/fixtures/: attention with options, computed by numpy in long double.

    /usr/bin/python3 scripts/gen_fixtures.py           # rewrites tests/fixtures/*.hpp
    /usr/bin/python3 scripts/gen_fixtures.py --check   # exit status 1 if a committed file differs

Needs numpy (Debian 12: apt-get install python3-numpy; it serves /usr/bin/python3). The generated
headers are committed, so building and testing cxattn needs neither Python nor numpy.

The reference implements cxattn's documented semantics (docs/semantics.md), not numpy's softmax
(which gives NaN for a fully masked row) nor PyTorch's:
  - position (i, j) is masked when a causal option excludes it (upper left: j <= i allowed; lower
    right: j <= i + S - L allowed), the bool mask holds false, or the additive mask holds -inf;
  - a masked position is skipped: no score, weight exactly 0, its value never read;
  - a row with every position masked: weights 0, output 0;
  - scores are (q . k) * scale + bias; a NaN among a row's scores makes that row's outputs NaN and
    its weights NaN, except where the score is -inf (masked positions): those weigh 0 whatever the
    rest of the row holds;
  - a row whose largest score is +inf takes softmax's limit: its +inf scores share the weight
    equally, the other attended positions weigh 0 (and are still attended: 0 * NaN = NaN);
  - otherwise weights = exp(s - max) / sum, output = sum over the attended j of w_j v_j, in IEEE
    arithmetic (so 0 * NaN = NaN: a finite -1e30 bias is attended, and a NaN value there propagates).
  - multi-head: torch.nn.MultiheadAttention's computation (projections x W^T + b, heads of E/H
    columns, key/value head h // (H/G), mean of the heads' weights), each head by the rules above.
Inputs are multiples of 2^-8 in [-2, 2), exact in float and double; every value is computed in
numpy's long double (x87, 64-bit significand) and printed as the nearest double.

Each expected value comes with a bound on the rounding error of a float or double computation of
it, in units of that type's epsilon, first order, propagated stage by stage in the manner of
Higham, "Accuracy and Stability of Numerical Algorithms" (2nd ed., 2002), section 3.1
(|fl(x . y) - x . y| <= gamma_n |x| . |y|, gamma_n ~ n eps):
  - a projection y = x W^T + b of n inputs:  (n + 1)(|x| |W|^T + |b|) + |W| err(x);
  - a score s = (q . k) scale + bias:        (Dk + 2) |q| . |k| |scale| + |s| + |scale| (err(q) . |k| + |q| . err(k));
  - a weight w_j = e_j / sum:                w_j (r_j + max_k r_k + 2 S + 4), where r_j = err(s_j) + err(s_max)
                                             + |s_j - s_max| + 1 is e_j's relative error (subtraction and exp),
                                             S + 1 for the sum and division, S + 3 more for streaming's rescaling
                                             (one exp and one product per new maximum);
  - an output o = sum_j w_j v_j:             sum_j (err(w_j) |v_j| + w_j err(v_j)) + (S + 1) sum_j w_j |v_j|.
The tests accept |got - want| <= 2 eps bound + eps |want| + 2 min_normal (tests/semantics.hpp).
"""
import argparse
import os
import sys

try:
    import numpy as np
except ImportError:
    sys.exit("gen_fixtures.py needs numpy: on Debian, apt-get install python3-numpy and run /usr/bin/python3")

LD = np.longdouble
INF = float("inf")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "fixtures")


def data(rng, shape, lo=-2.0, hi=2.0):
    """Multiples of 2^-8 in [lo, hi): exact in float and double."""
    return np.round(rng.uniform(lo, hi, shape) * 256) / 256


# ---------------------------------------------------------------------------------------------
# The semantics, in long double, with rounding-error bounds (in units of eps) alongside.

def attend(q, k, v, allowed, bias, scale, qerr=None, kerr=None, verr=None):
    """One attention (one head): q L x Dk, k S x Dk, v S x Dv (long double); allowed L x S bool
    (before the -inf test); bias L x S or None; scale a number. Returns weights, output and their
    error bounds (in eps). qerr, kerr, verr: error bounds of the operands (projections)."""
    L, Dk = q.shape
    S, Dv = v.shape
    qerr = np.zeros(q.shape) if qerr is None else qerr
    kerr = np.zeros(k.shape) if kerr is None else kerr
    verr = np.zeros(v.shape) if verr is None else verr
    w = np.zeros((L, S), dtype=LD)
    out = np.zeros((L, Dv), dtype=LD)
    werr = np.zeros((L, S))
    oerr = np.zeros((L, Dv))
    scale = LD(scale)
    with np.errstate(invalid="ignore", over="ignore"):
        for i in range(L):
            att = allowed[i].copy()
            if bias is not None:
                att &= ~(bias[i] == -INF)
            js = np.nonzero(att)[0]
            if len(js) == 0:
                continue  # weights 0, output 0
            s = np.array([np.sum(q[i] * k[j]) * scale + (bias[i, j] if bias is not None else 0) for j in js],
                         dtype=LD)
            if np.any(np.isnan(s)):
                w[i, js] = np.where(s == -INF, 0, np.nan)  # masked positions (never in js) stay 0
                out[i, :] = np.nan
                continue
            m = np.max(s)
            if m == INF:  # the limit of softmax: the +inf scores share the weight
                wi = (s == INF).astype(LD) / np.count_nonzero(s == INF)
                w[i, js] = wi
                out[i] = np.sum(wi[:, None] * v[js], axis=0)
                werr[i, js] = wi.astype(float)
                av = np.abs(v[js]).astype(float)
                oerr[i] = wi.astype(float) @ verr[js] + (len(js) + 1) * (wi.astype(float) @ av)
                continue
            if m == -INF:  # every attended score -inf: weights 0, values times 0
                out[i] = np.sum(np.zeros((len(js), 1), dtype=LD) * v[js], axis=0)
                continue
            e = np.exp(s - m)
            wi = e / np.sum(e)
            w[i, js] = wi
            out[i] = np.sum(wi[:, None] * v[js], axis=0)
            # Error bounds, in float64 (they are estimates of magnitude).
            aq, ak = np.abs(q[i]).astype(float), np.abs(k[js]).astype(float)
            serr = ((Dk + 2) * (ak @ aq) * abs(float(scale)) + np.abs(s.astype(float))
                    + abs(float(scale)) * (kerr[js] @ aq + ak @ qerr[i]))
            jmax = int(np.argmax(s))
            finite = s > -INF
            r = np.where(finite, serr + serr[jmax] + np.abs(np.where(finite, s - m, 0).astype(float)) + 1, 0)
            wb = wi.astype(float) * (r + np.max(r) + 2 * len(js) + 4)
            werr[i, js] = wb
            av = np.abs(v[js]).astype(float)
            wf = wi.astype(float)
            with np.errstate(invalid="ignore"):
                oerr[i] = wb @ av + wf @ verr[js] + (len(js) + 1) * (wf @ av)
    return w, out, werr, oerr


def allowed_positions(L, S, causal, keep):
    i = np.arange(L)[:, None]
    j = np.arange(S)[None, :]
    allowed = np.ones((L, S), dtype=bool)
    if causal == "upper_left":
        allowed &= j <= i
    elif causal == "lower_right":
        allowed &= j <= i + S - L
    if keep is not None:
        allowed &= keep
    return allowed


def sdpa(q, k, v, causal=None, keep=None, bias=None, scale=None):
    L, Dk = q.shape
    S = k.shape[0]
    scale = 1 / np.sqrt(LD(Dk)) if scale is None else scale
    return attend(q.astype(LD), k.astype(LD), v.astype(LD), allowed_positions(L, S, causal, keep),
                  None if bias is None else bias.astype(LD), scale)


def linear(x, W, b, xerr=None):
    """x W^T + b (PyTorch's layout) and its error bound."""
    y = x.astype(LD) @ W.astype(LD).T + b.astype(LD)
    with np.errstate(invalid="ignore"):
        mag = np.abs(x).astype(float) @ np.abs(W).astype(float).T + np.abs(b).astype(float)
        err = (x.shape[1] + 1) * mag
        if xerr is not None:
            err = err + xerr @ np.abs(W).astype(float).T
    return y, err


def mha(query, key, value, p, H, G, causal=None, keep=None, bias=None, scale=None):
    L, E = query.shape
    S = key.shape[0]
    hd = E // H
    scale = 1 / np.sqrt(LD(hd)) if scale is None else scale
    q, qerr = linear(query, p["q_proj"], p["q_bias"][0])
    k, kerr = linear(key, p["k_proj"], p["k_bias"][0])
    v, verr = linear(value, p["v_proj"], p["v_bias"][0])
    allowed = allowed_positions(L, S, causal, keep)
    heads = np.zeros((L, E), dtype=LD)
    heads_err = np.zeros((L, E))
    w_sum = np.zeros((L, S), dtype=LD)
    w_err = np.zeros((L, S))
    for h in range(H):
        g = h // (H // G)
        qc, kc = slice(h * hd, (h + 1) * hd), slice(g * hd, (g + 1) * hd)
        w, o, we, oe = attend(q[:, qc], k[:, kc], v[:, kc], allowed, None if bias is None else bias.astype(LD),
                              scale, qerr[:, qc], kerr[:, kc], verr[:, kc])
        heads[:, qc] = o
        heads_err[:, qc] = oe
        w_sum += w
        w_err += we
    weights = w_sum / H
    with np.errstate(invalid="ignore"):
        weights_err = w_err / H + (H + 1) * np.abs(weights).astype(float)
    out, out_err = linear(heads, p["out_proj"], p["out_bias"][0], heads_err)
    return weights, out, weights_err, out_err


# ---------------------------------------------------------------------------------------------
# C++ output.

def literal(x, kind):
    if kind == "bool":
        return "true" if x else "false"
    x = float(x)
    if np.isnan(x):
        return "nan"
    if np.isinf(x):
        return "inf" if x > 0 else "-inf"
    return repr(x)


def bound_literal(x):
    """A bound, rounded up to 3 significant digits (it is a bound, not a result)."""
    x = float(x)
    if not np.isfinite(x) or x == 0:
        return literal(x, "double")
    text = f"{x * (1 + 1e-3):.3g}"
    return text if "e" in text or "." in text else text + ".0"


def array(name, values, kind="double", comment=None):
    values = np.asarray(values).reshape(-1)
    items = [bound_literal(x) if kind == "bound" else literal(x, kind) for x in values]
    kind = "double" if kind == "bound" else kind
    lines, line = [], ""
    for item in items:
        if len(line) + len(item) + 2 > 100:
            lines.append(line.rstrip())
            line = ""
        line += item + ", "
    lines.append(line.rstrip().rstrip(","))
    body = "\n        ".join(lines)
    note = f"  // {comment}" if comment else ""
    return f"    static constexpr {kind} {name}[] = {{{note}\n        {body}}};\n"


class Case:
    def __init__(self, name, doc, **fields):
        self.name, self.doc, self.fields = name, doc, fields


def emit_sdpa_case(c):
    f = c.fields
    q, k, v = f["query"], f["key"], f["value"]
    causal, keep, bias, scale = f.get("causal"), f.get("keep"), f.get("bias"), f.get("scale")
    order = f.get("order", ["causal", "keep", "bias", "scale"])
    w, out, werr, oerr = sdpa(q, k, v, causal, keep, bias, scale)
    L, Dk = q.shape
    S, Dv = v.shape
    args = ["in.query", "in.key", "in.value"]
    for option in order:
        if option == "causal" and causal:
            args.append("cxattn::causal" if causal == "upper_left" else "cxattn::causal_lower_right")
        elif option == "keep" and keep is not None:
            args.append("in.bool_mask")
        elif option == "bias" and bias is not None:
            args.append("in.additive_mask")
        elif option == "scale" and scale is not None:
            args.append("cxattn::scale(in.scale)")
    s = f"// {c.doc}\nstruct {c.name} {{\n"
    s += f'    static constexpr const char* name = "{c.name}";\n'
    s += f"    static constexpr std::size_t L = {L}, S = {S}, Dk = {Dk}, Dv = {Dv};\n"
    s += array("query", q) + array("key", k) + array("value", v)
    if keep is not None:
        s += array("bool_mask", keep, "bool")
    if bias is not None:
        s += array("additive_mask", bias)
    if scale is not None:
        s += f"    static constexpr double scale = {literal(scale, 'double')};\n"
    s += array("weights", w) + array("weights_bound", werr, "bound", comment="in eps of the element type")
    s += array("output", out) + array("output_bound", oerr, "bound", comment="in eps of the element type")
    s += "    static constexpr auto call(const auto& attention, const auto& in) {\n"
    s += f"        return attention({', '.join(args)});\n    }}\n}};\n\n"
    return s


def emit_mha_case(c):
    f = c.fields
    q, k, v, p, H, G = f["query"], f["key"], f["value"], f["params"], f["H"], f["G"]
    causal, keep, bias, scale = f.get("causal"), f.get("keep"), f.get("bias"), f.get("scale")
    w, out, werr, oerr = mha(q, k, v, p, H, G, causal, keep, bias, scale)
    L, E = q.shape
    S, KDim = k.shape
    VDim = v.shape[1]
    args = ["in.query", "in.key", "in.value", "in.params"]
    if causal:
        args.append("cxattn::causal" if causal == "upper_left" else "cxattn::causal_lower_right")
    if keep is not None:
        args.append("in.bool_mask")
    if bias is not None:
        args.append("in.additive_mask")
    if scale is not None:
        args.append("cxattn::scale(in.scale)")
    s = f"// {c.doc}\nstruct {c.name} {{\n"
    s += f'    static constexpr const char* name = "{c.name}";\n'
    s += (f"    static constexpr std::size_t L = {L}, S = {S}, E = {E}, H = {H}, KDim = {KDim}, VDim = {VDim}, "
          f"G = {G};\n")
    s += array("query", q) + array("key", k) + array("value", v)
    for member in ["q_proj", "k_proj", "v_proj", "out_proj", "q_bias", "k_bias", "v_bias", "out_bias"]:
        s += array(member, p[member])
    if keep is not None:
        s += array("bool_mask", keep, "bool")
    if bias is not None:
        s += array("additive_mask", bias)
    if scale is not None:
        s += f"    static constexpr double scale = {literal(scale, 'double')};\n"
    s += array("weights", w) + array("weights_bound", werr, "bound", comment="in eps of the element type")
    s += array("output", out) + array("output_bound", oerr, "bound", comment="in eps of the element type")
    s += "    static constexpr auto call(const auto& attention, const auto& in) {\n"
    s += f"        return attention({', '.join(args)});\n    }}\n}};\n\n"
    return s


HEADER = """// SPDX-License-Identifier: MIT
// {title}
// Generated by scripts/gen_fixtures.py from numpy's long double reference of the semantics in
// docs/semantics.md. Do not edit: change the script and rerun it.
#ifndef {guard}
#define {guard}

#include <cstddef>
#include <limits>

#include <cxattn/cxattn.hpp>

namespace fixtures::{namespace} {{

inline constexpr double inf = std::numeric_limits<double>::infinity();
inline constexpr double nan = std::numeric_limits<double>::quiet_NaN();

"""


def write(filename, title, namespace, cases, emit, list_name):
    guard = "CXATTN_TESTS_FIXTURES_" + filename.upper().replace(".", "_")
    text = HEADER.format(title=title, guard=guard, namespace=namespace)
    for c in cases:
        text += emit(c)
    names = ",\n    ".join(c.name for c in cases)
    text += f"template <class... Fixtures> struct list {{}};\nusing {list_name} = list<\n    {names}>;\n\n"
    text += f"}} // namespace fixtures::{namespace}\n\n#endif // {guard}\n"
    return filename, text


# ---------------------------------------------------------------------------------------------
# The cases.

def option_cases():
    """Every combination of {none, causal, causal_lower_right} x bool mask x additive mask x scale,
    on L = 3 queries, S = 5 keys (L != S, so the two causal alignments differ), the options in
    rotating orders."""
    rng = np.random.default_rng(4)
    cases = []
    n = 0
    for causal in [None, "upper_left", "lower_right"]:
        for has_keep in [False, True]:
            for has_bias in [False, True]:
                for has_scale in [False, True]:
                    q, k, v = data(rng, (3, 4)), data(rng, (5, 4)), data(rng, (5, 3))
                    keep = rng.uniform(size=(3, 5)) < 0.7 if has_keep else None
                    if keep is not None:
                        keep[:, 0] = True  # no fully masked row here (edge cases cover them)
                    bias = data(rng, (3, 5), -3, 1) if has_bias else None
                    if bias is not None:
                        bias[1, 2] = -INF  # -inf masks
                    scale = 0.75 if has_scale else None
                    order = ["causal", "keep", "bias", "scale"]
                    order = order[n % 4:] + order[:n % 4]
                    parts = [{"upper_left": "causal", "lower_right": "causal_lower_right"}.get(causal, "")]
                    parts += ["bool" if has_keep else "", "additive" if has_bias else "", "scale" if has_scale else ""]
                    name = "options_" + ("_".join(p for p in parts if p) or "none")
                    doc = "Options: " + (", ".join(p for p in parts if p) or "none") + \
                          f"; given in the order {', '.join(order)}."
                    cases.append(Case(name, doc, query=q, key=k, value=v, causal=causal, keep=keep, bias=bias,
                                      scale=scale, order=order))
                    n += 1
    return cases


def edge_cases():
    rng = np.random.default_rng(5)
    nan = float("nan")
    cases = []

    def add(name, doc, **fields):
        cases.append(Case(name, doc, **fields))

    q, k, v = np.zeros((2, 3)), data(rng, (4, 3)), data(rng, (4, 2))
    add("edge_all_equal_logits", "All logits equal (zero queries): uniform weights 1/S.", query=q, key=k, value=v)

    # Scores of exactly +-1e4 (Dk = 1, scale 1): ties at the top share, the rest underflow to 0.
    q = np.array([[100.0], [-100.0]])
    k = np.array([[100.0], [-100.0], [100.0], [0.0]])
    v = data(rng, (4, 2))
    add("edge_logits_1e4", "Logits +-1e4 (exact): the two tied maxima share, exp(-2e4) is 0.",
        query=q, key=k, value=v, scale=1.0)

    q, k, v = data(rng, (2, 3)), data(rng, (4, 3)), data(rng, (4, 2))
    bias = np.array([[1e4, -1e4, 0, 1e4], [-1e4, -1e4, -1e4, -1e4]])
    add("edge_bias_1e4", "Additive biases of +-1e4: no overflow, no NaN; a row of all -1e4 is uniform-ish.",
        query=q, key=k, value=v, bias=bias)

    q, k, v = data(rng, (3, 3)), data(rng, (4, 3)), data(rng, (4, 2))
    bias = np.array([[0, -INF, 0, -INF], [-INF, -INF, -INF, -INF], [-INF, 0.5, -INF, -INF]])
    k[1, 0], v[3, 1] = nan, INF  # in positions every row masks
    add("edge_minus_inf_mask", "-inf in the additive mask masks; row 1 is all -inf: zero weights and output; "
        "the NaN in key 1 reaches row 2 only (its weights are NaN but at masked positions, which stay 0); the inf "
        "in value 3 is masked everywhere.", query=q, key=k, value=v, bias=bias)

    q, k, v = data(rng, (3, 3)), data(rng, (4, 3)), data(rng, (4, 2))
    keep = np.array([[True, False, True, False], [False] * 4, [True, True, True, False]])
    k[3, 1], v[3, 0] = nan, -INF
    add("edge_fully_masked_bool", "Bool mask with a row of all false (zero weights and output); NaN and -inf "
        "in the key and value of position 3, which every row masks.", query=q, key=k, value=v, keep=keep)

    q, k, v = data(rng, (2, 3)), data(rng, (3, 3)), data(rng, (3, 2))
    bias = np.array([[-1e30, -1e30, -1e30], [0, -1e30, -1e30]])
    v[2, 1] = nan
    add("edge_very_negative_bias", "Finite biases of -1e30 are numbers: row 0 is uniform (1e30 absorbs the scores); "
        "in row 1 their weights underflow to 0, yet the NaN value at (2, 1) propagates (attended, 0 * NaN).",
        query=q, key=k, value=v, bias=bias)

    q, k, v = data(rng, (3, 3)), data(rng, (4, 3)), data(rng, (4, 2))
    k[2, 1] = nan
    add("edge_nan_key_causal", "NaN in key 2: the rows that attend it (causal: rows i >= 2) are NaN, the others "
        "are untouched.", query=q, key=k, value=v, causal="upper_left")

    q, k, v = data(rng, (2, 3)), data(rng, (4, 3)), data(rng, (4, 2))
    v[1, 0] = nan
    v[2, 1] = INF
    keep = np.array([[True, True, False, True], [True, False, True, True]])
    add("edge_nan_inf_value", "NaN in value (1, 0), +inf in value (2, 1): a row that attends them gets NaN / inf in "
        "that column only; a row that masks them does not.", query=q, key=k, value=v, keep=keep)

    q, k, v = data(rng, (3, 3)), data(rng, (4, 3)), data(rng, (4, 2))
    q[1, 2] = nan
    add("edge_nan_query", "NaN in query row 1: that row's weights and output are NaN.", query=q, key=k, value=v)

    q, k, v = data(rng, (2, 3)), data(rng, (4, 3)), data(rng, (4, 2))
    bias = data(rng, (2, 4))
    bias[0, 1] = nan
    bias[1, 3] = INF
    add("edge_nan_inf_bias", "NaN in an attended bias: row 0 is NaN. +inf in an attended bias: row 1 takes "
        "softmax's limit, weight 1 there and 0 elsewhere (IEEE arithmetic would give NaN from inf - inf).",
        query=q, key=k, value=v, bias=bias)

    q, k, v = data(rng, (2, 3)), data(rng, (4, 3)), data(rng, (4, 2))
    bias = data(rng, (2, 4))
    bias[0, 1] = nan
    keep = np.array([[True, False, True, True], [True, True, True, True]])
    add("edge_nan_bias_masked", "NaN in a bias at a position the bool mask excludes: no effect.",
        query=q, key=k, value=v, keep=keep, bias=bias)

    add("edge_one_query", "L = 1.", query=data(rng, (1, 3)), key=data(rng, (4, 3)), value=data(rng, (4, 2)),
        causal="lower_right")
    add("edge_one_key", "S = 1: every attending row puts weight 1 on it; with upper-left causal every row attends.",
        query=data(rng, (3, 3)), key=data(rng, (1, 3)), value=data(rng, (1, 2)), causal="upper_left")
    add("edge_one_query_one_key", "L = S = 1.", query=data(rng, (1, 2)), key=data(rng, (1, 2)),
        value=data(rng, (1, 3)))
    add("edge_causal_more_queries", "Upper-left causal with L > S: rows i >= S see every key.",
        query=data(rng, (5, 3)), key=data(rng, (3, 3)), value=data(rng, (3, 2)), causal="upper_left")
    add("edge_causal_lower_right_more_queries", "Lower-right causal with L > S: rows i < L - S see no key "
        "(zero weights and output).", query=data(rng, (5, 3)), key=data(rng, (3, 3)), value=data(rng, (3, 2)),
        causal="lower_right")
    return cases


def mha_params(rng, E, kv_dim, KDim, VDim):
    s = 1 / np.sqrt(E)
    return {"q_proj": data(rng, (E, E), -s, s), "k_proj": data(rng, (kv_dim, KDim), -s, s),
            "v_proj": data(rng, (kv_dim, VDim), -s, s), "out_proj": data(rng, (E, E), -s, s),
            "q_bias": data(rng, (1, E), -0.25, 0.25), "k_bias": data(rng, (1, kv_dim), -0.25, 0.25),
            "v_bias": data(rng, (1, kv_dim), -0.25, 0.25), "out_bias": data(rng, (1, E), -0.25, 0.25)}


def mha_cases():
    rng = np.random.default_rng(6)
    cases = []

    def add(name, doc, L, S, E, H, G=None, KDim=None, VDim=None, self_attention=False, **options):
        G = H if G is None else G
        KDim = E if KDim is None else KDim
        VDim = E if VDim is None else VDim
        query = data(rng, (L, E), -1, 1)
        key = query if self_attention else data(rng, (S, KDim), -1, 1)
        value = query if self_attention else data(rng, (S, VDim), -1, 1)
        for name_, fix in options.pop("poke", {}).items():
            fix(key if name_ == "key" else value)
        params = mha_params(rng, E, G * (E // H), KDim, VDim)
        cases.append(Case(name, doc, query=query, key=key, value=value, params=params, H=H, G=G, **options))

    add("mha_self", "Self-attention (query = key = value), E = 8, 2 heads, no options.", 4, 4, 8, 2,
        self_attention=True)
    add("mha_causal_bool_mask", "Causal and a bool mask, L = 3, S = 4.", 3, 4, 8, 2, causal="upper_left",
        keep=np.array([[True, True, False, True], [False, True, True, True], [True, True, True, False]]))
    add("mha_additive_mask_scale", "An additive mask with -inf, and scale(0.5).", 3, 4, 8, 2,
        bias=np.array([[0, -1, -INF, 0.5], [-INF, 0, 0, 0], [1, 1, 1, -INF]]), scale=0.5)
    add("mha_cross", "Cross-attention: KDim = 5, VDim = 6 != E = 8.", 3, 4, 8, 2, KDim=5, VDim=6)
    add("mha_gqa", "Grouped-query attention: 4 query heads share 2 key/value heads (head_dim 2).", 3, 4, 8, 4, G=2)
    add("mha_mqa_causal_lower_right", "Multi-query attention (1 key/value head), causal_lower_right, cross "
        "dimensions.", 3, 5, 8, 4, G=1, KDim=3, VDim=4, causal="lower_right")
    add("mha_fully_masked_row", "Row 1 fully masked: its weights are 0 and its output is out_bias "
        "(the heads give 0).", 3, 4, 8, 2, keep=np.array([[True, True, False, True], [False] * 4, [True] * 4]))

    def poison(m):
        m[2, 1] = float("nan")
    add("mha_nan_in_masked_key", "NaN in key row 2 and value row 2, which the bool mask excludes for every "
        "query: no effect.", 3, 4, 8, 2, keep=np.array([[True, True, False, True]] * 3),
        poke={"key": poison, "value": poison})
    return cases


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed files instead")
    args = parser.parse_args()
    files = [
        write("sdpa_options.hpp", "Every combination of the attention options, with reference results.",
              "sdpa_options", option_cases(), emit_sdpa_case, "all"),
        write("sdpa_edges.hpp", "The edge cases of the attention semantics, with reference results.",
              "sdpa_edges", edge_cases(), emit_sdpa_case, "all"),
        write("mha.hpp", "multi_head_attention cases (masks, cross-attention, GQA, MQA), with reference results.",
              "mha", mha_cases(), emit_mha_case, "all"),
    ]
    differ = False
    os.makedirs(OUT, exist_ok=True)
    for filename, text in files:
        path = os.path.join(OUT, filename)
        if args.check:
            old = open(path).read() if os.path.exists(path) else ""
            if old != text:
                print(f"{path} differs from the generator's output")
                differ = True
        else:
            with open(path, "w") as f:
                f.write(text)
            print(f"wrote {path}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
