#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Reference fixtures for cxattn::additive_attention: tests/fixtures/additive.hpp, computed by numpy in long double.

    /usr/bin/python3 scripts/gen_additive_fixtures.py           # rewrites tests/fixtures/additive.hpp
    /usr/bin/python3 scripts/gen_additive_fixtures.py --check   # exit status 1 if the committed file differs

Needs numpy (Debian 12: apt-get install python3-numpy; it serves /usr/bin/python3). With --check and
no numpy it exits with 77, which meson reports as a skipped test. The generated header is committed,
so building and testing cxattn needs neither Python nor numpy.

The reference implements docs/semantics.md, "Additive attention" (Bahdanau, Cho & Bengio 2015,
appendix A.1.2): x = Q W_q^T, y = K W_k^T, score(i, j) = sum_a v_a tanh(x_ia + y_ja) + bias(i, j),
no scale; the masks and positions are scripts/gen_fixtures.py's (mechanism_positions, imported from
it, so that both references share one definition of a masked position), and so is each row's softmax
with its special rows and error bounds (weigh_row) (a masked position weighs exactly 0 and is never read; a fully masked row
gives weights 0 and output 0; a NaN among a row's scores makes its weights NaN, except at masked
positions, and its outputs NaN). Inputs are multiples of 2^-8 in [-2, 2), exact in float and double.

Each expected value comes with a first-order bound on the rounding error of a float or double
computation of it, in units of that type's epsilon (Higham, "Accuracy and Stability of Numerical
Algorithms", 2nd ed., section 3.1), in the manner of scripts/gen_fixtures.py:
  - a projection x_ia = q_i . W_q[a] of n terms:   (n + 1) |q_i| . |W_q[a]|  (the same for y);
  - u = x_ia + y_ja:                                err(x) + err(y) + |u|;
  - t = tanh(u):                                    sech^2(u) err(u) + 2 |t|  (tanh's own rounding,
                                                    0.55 ULP portable, about 1 ULP in libm);
  - p_a = v_a t_a:                                  |v_a| err(t) + |p_a|;
  - s = sum_a p_a (+ bias):                         sum_a err(p_a) + A sum_a |p_a| (+ err + |s|);
  - weights and outputs from the scores' bounds as in scripts/gen_fixtures.py (attend).
The tests accept |got - want| <= 2 eps bound + eps |want| + 2 min_normal (tests/semantics.hpp).
"""
import argparse
import os
import sys

try:
    import numpy as np
except ImportError:
    if "--check" in sys.argv:
        print("gen_additive_fixtures.py --check needs numpy: skipped")
        sys.exit(77)
    sys.exit("gen_additive_fixtures.py needs numpy: on Debian, apt-get install python3-numpy and run /usr/bin/python3")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_fixtures import (array, attended_keys, call_text, data, doc_comment, mechanism_positions,  # noqa: E402
                          option_argument, weigh_row)

LD = np.longdouble
INF = float("inf")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "fixtures", "additive.hpp")

# The options additive_attention takes, in the order a case gives them unless it says otherwise.
OPTIONS = ["causal", "keep", "bias", "align_lower_right", "query_offset", "key_offset", "window", "key_length",
           "mask_mod"]


def additive(q, k, v, wq, wk, va, f):
    """additive_attention of the fixture fields f: q L x Dq, k S x Dk, v S x Dv, wq A x Dq, wk A x Dk,
    va A. Returns weights, output and their error bounds (in eps)."""
    q, k, v, wq, wk, va = (m.astype(LD) for m in (q, k, v, wq, wk, va))
    L, Dq = q.shape
    S, Dk = k.shape
    Dv = v.shape[1]
    A = va.size
    allowed, _, _ = mechanism_positions(L, S, f)
    bias = f.get("bias")
    bias = None if bias is None else bias.astype(LD)
    w = np.zeros((L, S), dtype=LD)
    out = np.zeros((L, Dv), dtype=LD)
    werr = np.zeros((L, S))
    oerr = np.zeros((L, Dv))
    with np.errstate(invalid="ignore", over="ignore"):
        x = np.array([[np.sum(q[i] * wq[a]) for a in range(A)] for i in range(L)], dtype=LD)
        y = np.array([[np.sum(k[j] * wk[a]) for a in range(A)] for j in range(S)], dtype=LD)
        xerr = (Dq + 1) * (np.abs(q).astype(float) @ np.abs(wq).astype(float).T)
        yerr = (Dk + 1) * (np.abs(k).astype(float) @ np.abs(wk).astype(float).T)
        for i in range(L):
            js = attended_keys(allowed, bias, i)
            if len(js) == 0:
                continue  # weights 0, output 0
            u = x[i][None, :] + y[js]  # len(js) x A
            t = np.tanh(u)
            p = va[None, :] * t
            s = np.sum(p, axis=1)
            uf, tf, pf = (np.abs(m).astype(float) for m in (u, t, p))
            terr = (1 - np.tanh(u) ** 2).astype(float) * (xerr[i][None, :] + yerr[js] + uf) + 2 * tf
            serr = np.sum(np.abs(va).astype(float)[None, :] * terr + pf, axis=1) + A * np.sum(pf, axis=1)
            if bias is not None:
                s = s + bias[i, js]
                serr = serr + np.abs(s).astype(float)
            w[i, js], out[i], werr[i, js], oerr[i] = weigh_row(s, serr, v[js], np.zeros((len(js), Dv)))
    return w, out, werr, oerr


class Case:
    def __init__(self, name, doc, **fields):
        self.name, self.doc, self.fields = name, doc, fields


def emit(c):
    f = c.fields
    q, k, v, wq, wk, va = f["query"], f["key"], f["value"], f["w_query"], f["w_key"], f["v"]
    w, out, werr, oerr = additive(q, k, v, wq, wk, va, f)
    L, Dq = q.shape
    S, Dk = k.shape
    A, Dv = va.size, v.shape[1]
    args = ["in.query", "in.key", "in.value", "in.params"]
    args += [a for a in (option_argument(option, f) for option in f["order"]) if a is not None]
    s = doc_comment(c.doc, True) + f"struct {c.name} {{\n"
    s += f'    static constexpr const char* name = "{c.name}";\n'
    s += f"    static constexpr std::size_t L = {L}, S = {S}, Dq = {Dq}, Dk = {Dk}, A = {A}, Dv = {Dv};\n"
    s += array("query", q) + array("key", k) + array("value", v)
    s += array("w_query", wq) + array("w_key", wk) + array("v", va)
    if f.get("keep") is not None:
        s += array("bool_mask", f["keep"], "bool")
    if f.get("bias") is not None:
        s += array("additive_mask", f["bias"])
    s += array("weights", w) + array("weights_bound", werr, "bound", comment="in eps of the element type")
    s += array("output", out) + array("output_bound", oerr, "bound", comment="in eps of the element type")
    return s + call_text(args, True)


def cases():
    """Unmasked, each mask, the positions, NaN in masked and in attended keys, a fully masked row;
    L, S <= 6 and A <= 16, so that the static test stays within the compilers' default limits."""
    rng = np.random.default_rng(11)
    nan = float("nan")
    out = []

    def add(name, doc, L=3, S=4, Dq=2, Dk=3, A=5, Dv=2, poke=None, **options):
        q, k, v = data(rng, (L, Dq)), data(rng, (S, Dk)), data(rng, (S, Dv))
        wq, wk, va = data(rng, (A, Dq)), data(rng, (A, Dk)), data(rng, (A,))
        if poke is not None:
            poke(k, v)
        order = options.pop("order", None) or [o for o in options if o in OPTIONS]
        out.append(Case(name, doc, query=q, key=k, value=v, w_query=wq, w_key=wk, v=va, order=order, **options))

    add("unmasked", "No option: L = 3, S = 4, Dq = 2, Dk = 3, A = 5, Dv = 2.")
    add("wide", "No option, wider: Dq = 8, Dk = 6, A = 16, so that |x + y| reaches tanh's saturation.", L=5, S=6,
        Dq=8, Dk=6, A=16, Dv=3)
    add("causal", "causal: query i sees keys 0 .. i.", causal="upper_left")
    add("causal_lower_right", "causal_lower_right, L = 3 < S = 5: query i sees keys 0 .. i + 2.", S=5,
        causal="lower_right")

    def poison_column_2(k, v):
        k[2, 1], v[2, 0] = nan, nan
    add("bool_mask_row_and_key", "A bool mask: row 1 fully masked (weights 0, output 0), key 2 masked for every query, with "
        "NaN in key 2 and value 2 that has no effect.", L=3, S=4, poke=poison_column_2,
        keep=np.array([[True, True, False, True], [False] * 4, [False, True, False, True]]))
    add("additive_mask_minus_inf", "An additive mask, added to the scores; its -inf masks (0, 2) and (2, 0).",
        bias=np.array([[0.5, -1.25, -INF, 0.0], [-2.0, 0.75, 1.0, -0.5], [-INF, 0.25, -3.0, 1.5]]))
    add("masks_together", "causal, a bool mask and an additive mask together, given in the order bias, keep, "
        "causal.", L=4, S=4, causal="upper_left", order=["bias", "keep", "causal"],
        keep=np.array([[True] * 4, [True, False, True, True], [True, True, True, False], [False, True, True, True]]),
        bias=np.array([[0.0, 1.0, 1.0, 1.0], [-1.0, 0.5, 0.0, 0.0], [0.25, -INF, 0.5, 0.0], [1.0, 0.0, -0.5, -2.0]]))

    def poison_tail(k, v):
        k[3, 0], v[4, 1] = nan, INF  # past key_length(3): never read
    add("key_length", "key_length(3) of S = 5: keys 3 and 4 are masked and never read (NaN in key 3, inf in "
        "value 4).", S=5, key_length=3, poke=poison_tail)
    add("window_causal", "causal with sliding_window(1): query i sees keys i - 1 and i.", L=4, S=4,
        causal="upper_left", window=(1, 0))
    add("offsets_window", "query_offset(2), key_offset(1) and sliding_window(1, 1): p(i) = 2 + i, k(j) = 1 + j, "
        "so query i sees keys j = i .. i + 2 that exist: query 3 keys 3 and 4, query 4 key 4 only.", L=5, S=5,
        query_offset=2, key_offset=1, window=(1, 1))
    add("mask_mod", "mask_mod: query i does not see key i + 1.", L=4, S=4,
        mask_mod=("[](std::size_t, std::ptrdiff_t q, std::ptrdiff_t k) { return k != q + 1; }",
                  lambda h, q, k: k != q + 1))

    def poison_key_2(k, v):
        k[2, 0] = nan
    add("nan_in_attended_key", "causal with NaN in key 2: rows 2 and 3, which attend key 2, are NaN (weights NaN "
        "except at masked positions, which stay 0; outputs NaN); rows 0 and 1 are untouched.", L=4, S=4,
        causal="upper_left", poke=poison_key_2)
    return out


HEADER = """// SPDX-License-Identifier: MIT
// additive_attention (Bahdanau et al. 2015) cases, with reference results.
// Generated by /usr/bin/python3 scripts/gen_additive_fixtures.py from numpy's long double reference
// of docs/semantics.md, "Additive attention". Do not edit: change the script and rerun it.
#ifndef CXATTN_TESTS_FIXTURES_ADDITIVE_HPP
#define CXATTN_TESTS_FIXTURES_ADDITIVE_HPP

#include <cstddef>
#include <limits>

#include <cxattn/cxattn.hpp>

namespace fixtures::additive {

inline constexpr double inf = std::numeric_limits<double>::infinity();
inline constexpr double nan = std::numeric_limits<double>::quiet_NaN();

"""


def render():
    all_cases = cases()
    text = HEADER
    for c in all_cases:
        text += emit(c)
    text += "template <class... Fixtures> struct list {};\n"
    text += "using all = list<\n    " + ",\n    ".join(c.name for c in all_cases) + ">;\n"
    return text + "\n} // namespace fixtures::additive\n\n#endif // CXATTN_TESTS_FIXTURES_ADDITIVE_HPP\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed file instead")
    args = parser.parse_args()
    text = render()
    if args.check:
        old = open(OUT).read() if os.path.exists(OUT) else ""
        if old != text:
            print(f"{OUT} differs from the generator's output")
            return 1
        print(f"{OUT} is the generator's output")
        return 0
    with open(OUT, "w") as f:
        f.write(text)
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
