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
  - with positions p(i) = query_offset + i (n - L + i under the lower-right alignments, n = key_length
    or S) and k(j) = key_offset + j, keys j >= n, causal's k(j) > p(i), keys outside a sliding_window
    and mask_mod's false are masked too; an unmasked score is then c tanh(s / c) (softcap), + m (k(j) -
    p(i)) (ALiBi; cxattn::alibi's slope per query head), score_mod, + bias, in that order;
  - a sink z (cxattn::sink; per query head in multi-head attention) is one more logit of each row's
    softmax, with no value: an ordinary row's weights are exp(s - M) / (sum + exp(z - M)) with
    M = max(max s, z); a row with every position masked, NaN or a +inf score is as without it;
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
                                             (one exp and one product per new maximum); with a
                                             sink z, r_j is taken against M and the sum has S + 1 terms,
                                             the sink's r = err(s_max) + |z - M| + 1 among the r_k;
  - an output o = sum_j w_j v_j:             sum_j (err(w_j) |v_j| + w_j err(v_j)) + (S + 1) sum_j w_j |v_j|.
With positions or score modifiers (tests/fixtures/mechanisms.hpp), the score's bound is that of the
scaled dot product d = (q . k) scale, carried through the stages of modified_scores:
  - softcap, c tanh(d / c):                  sech^2(d / c) (err(d) + |d|) + 3 |s|;
  - ALiBi, s + m (k(j) - p(i)):              err + 2 |m (k(j) - p(i))| + |s|;
  - score_mod (here a s + g, a a power of 2): |a| err + |s|;
  - the additive bias:                       err + |s|;
the weights and outputs follow from the scores' bounds as above.
The tests accept |got - want| <= 2 eps bound + eps |want| + 2 min_normal (tests/semantics.hpp).
"""
import argparse
import os
import sys
import textwrap

try:
    import numpy as np
except ImportError:
    if "--check" in sys.argv and __name__ == "__main__":
        print("gen_fixtures.py --check needs numpy: skipped")
        sys.exit(77)  # meson's exit status of a skipped test
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

def attend(q, k, v, allowed, bias, scale, qerr=None, kerr=None, verr=None, mech=None, lse=None):
    """One attention (one head): q L x Dk, k S x Dk, v S x Dv (long double); allowed L x S bool
    (before the -inf test); bias L x S or None; scale a number. Returns weights, output and their
    error bounds (in eps). qerr, kerr, verr: error bounds of the operands (projections). mech: the
    score modifiers of an unmasked position (modified_scores), or None. lse: a list that gets each
    row's (log-sum-exp, its bound in eps), partial_attention's, or None."""
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
            js = attended_keys(allowed, bias, i)
            if len(js) == 0:
                if lse is not None:
                    lse.append((-INF, 0.0))
                continue  # weights 0, output 0
            aq, ak = np.abs(q[i]).astype(float), np.abs(k[js]).astype(float)
            if mech is None:
                s = np.array([np.sum(q[i] * k[j]) * scale + (bias[i, j] if bias is not None else 0) for j in js],
                             dtype=LD)
                serr = ((Dk + 2) * (ak @ aq) * abs(float(scale)) + np.abs(s.astype(float))
                        + abs(float(scale)) * (kerr[js] @ aq + ak @ qerr[i]))
            else:  # the scaled dot product's bound (its own rounding |d|), through the modifiers
                d = np.array([np.sum(q[i] * k[j]) * scale for j in js], dtype=LD)
                s, mech_err = modified_scores(d, i, js, None if bias is None else bias[i, js], mech)
                serr = mech_err((Dk + 2) * (ak @ aq) * abs(float(scale)) + np.abs(d.astype(float))
                                + abs(float(scale)) * (kerr[js] @ aq + ak @ qerr[i]))
            sink = None if mech is None or mech.get("sink") is None else LD(mech["sink"])
            w[i, js], out[i], werr[i, js], oerr[i] = weigh_row(s, serr, v[js], verr[js], sink)
            if lse is not None:
                lse.append(row_lse(s, serr))
    return w, out, werr, oerr


def row_lse(s, serr):
    """log(sum_j exp(s_j)) of a row's attended scores s (long double) and its error bound in eps: the
    scores' largest bound (a shift of every score by at most that much shifts the lse by at most that
    much), the sum's and the log's roundings (n + 4), and the last addition's (|lse|). NaN with a NaN
    score, +inf with a +inf one, -inf when every score is -inf (cxattn's detail::row_lse)."""
    with np.errstate(invalid="ignore", over="ignore"):
        if np.any(np.isnan(s)):
            return LD("nan"), 0.0
        m = np.max(s)
        if m == INF or m == -INF:
            return m, 0.0
        value = m + np.log(np.sum(np.exp(s - m)))
        return value, float(np.max(np.where(s > -INF, serr, 0))) + len(s) + 4 + abs(float(value))


def attended_keys(allowed, bias, i):
    """The keys row i attends: allowed there, and not -inf in the additive mask (None: no mask)."""
    att = allowed[i].copy()
    if bias is not None:
        att &= ~(bias[i] == -INF)
    return np.nonzero(att)[0]


def weigh_row(s, serr, vj, verrj, sink=None):
    """One row's softmax over its attended scores s (long double; NaN and +-inf included), with the
    scores' error bounds serr (float), and its output over the attended values vj (long double, one
    row per score) with their error bounds verrj; sink: cxattn::sink's logit, or None. Returns the
    weights, the output and their error bounds (in eps). Shared by every fixture generator."""
    n, Dv = vj.shape
    with np.errstate(invalid="ignore", over="ignore"):
        if np.any(np.isnan(s)):  # masked positions (never among the scores) stay 0
            return np.where(s == -INF, 0, np.nan), np.full(Dv, np.nan), np.zeros(n), np.zeros(Dv)
        m = np.max(s)
        av = np.abs(vj).astype(float)
        if m == INF:  # the limit of softmax: the +inf scores share the weight
            wi = (s == INF).astype(LD) / np.count_nonzero(s == INF)
            wf = wi.astype(float)
            return wi, np.sum(wi[:, None] * vj, axis=0), wf, wf @ verrj + (n + 1) * (wf @ av)
        if m == -INF:  # every attended score -inf: weights 0, values times 0
            return np.zeros(n), np.sum(np.zeros((n, 1), dtype=LD) * vj, axis=0), np.zeros(n), np.zeros(Dv)
        if sink is not None:  # one more logit, with no value: the sum gains exp(z - M), M = max(m, z)
            m = max(m, sink)
        e = np.exp(s - m)
        wi = e / (np.sum(e) + (0 if sink is None else np.exp(sink - m)))
        # Error bounds, in float64 (they are estimates of magnitude).
        jmax = int(np.argmax(s))
        finite = s > -INF
        r = np.where(finite, serr + serr[jmax] + np.abs(np.where(finite, s - m, 0).astype(float)) + 1, 0)
        r_max, terms = np.max(r), n
        if sink is not None:
            r_max, terms = max(r_max, serr[jmax] + abs(float(sink - m)) + 1), terms + 1
        wb = wi.astype(float) * (r + r_max + 2 * terms + 4)
        wf = wi.astype(float)
        return wi, np.sum(wi[:, None] * vj, axis=0), wb, wb @ av + wf @ verrj + (n + 1) * (wf @ av)


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


def modified_scores(d, i, js, bias, mech):
    """The scores of query i at the keys js from their scaled dot products d (long double), through
    softcap, ALiBi, score_mod and the additive bias (bias: the row's biases at js, or None), in the
    order of docs/semantics.md ("Positions"); and a function that carries the bound of d through
    the same stages (first order, in eps):
      - softcap, c tanh(d / c):   sech^2(d / c) (err(d) + |d|) + 3 |s|  (the division's rounding, carried
                                  by tanh' = sech^2 <= 1; tanh's own ~2 eps and the product's 1 eps);
      - ALiBi, s + m (k - p):     err + 2 |m (k - p)| + |s|  (m rounded to the element type, the product,
                                  the sum; the distance, a small integer, is exact);
      - score_mod, a s + g:       |a| err + |s|  (a a power of two, g exact: the sum's rounding);
      - the bias, s + b:          err + |s|."""
    p, kp = mech["qpos"][i], mech["kpos"][js]
    stages = []
    s = d.copy()
    if mech.get("softcap") is not None:
        c = LD(mech["softcap"])
        t = s / c
        s = c * np.tanh(t)
        sech2 = (1 - np.tanh(t) ** 2).astype(float)
        stages.append(lambda e, sech2=sech2, ad=np.abs(d).astype(float), a=np.abs(s).astype(float):
                      sech2 * (e + ad) + 3 * a)
    if mech.get("slope") is not None:
        term = LD(mech["slope"]) * (kp - p).astype(LD)
        s = s + term
        stages.append(lambda e, at=np.abs(term).astype(float), a=np.abs(s).astype(float): e + 2 * at + a)
    if mech.get("score_mod") is not None:
        _, factor, g = mech["score_mod"]
        s = s * LD(factor) + np.array([g(mech["head"], p, kk) for kk in kp], dtype=LD)
        stages.append(lambda e, a=np.abs(s).astype(float): abs(factor) * e + a)
    if bias is not None:
        s = s + bias
        stages.append(lambda e, a=np.abs(s).astype(float): e + a)

    def bound(e):
        for stage in stages:
            e = stage(e)
        return e
    return s, bound


def mechanism_positions(L, S, f, head=0):
    """The positions and the mask of the options f (fixture fields) for `head`: p(i) = query_offset + i
    (n - L under causal_lower_right and align_lower_right, n = key_length or S), k(j) = key_offset + j;
    masked: j >= n, causal k(j) > p(i), outside the window, the bool mask's false, mask_mod's false."""
    n = f.get("key_length", S)
    lower_right = f.get("causal") == "lower_right" or f.get("align_lower_right", False)
    first_query = n - L if lower_right else f.get("query_offset", 0)
    qpos = first_query + np.arange(L)
    kpos = f.get("key_offset", 0) + np.arange(S)
    P, K = qpos[:, None], kpos[None, :]
    allowed = np.broadcast_to(np.arange(S)[None, :] < n, (L, S)).copy()
    if f.get("causal"):
        allowed &= K <= P
    if "window" in f:
        left, right = f["window"]  # None: unbounded (a saturating huge value)
        if left is not None:
            allowed &= P - left <= K
        allowed &= K <= P + right
    if f.get("keep") is not None:
        allowed &= f["keep"]
    if f.get("mask_mod") is not None:
        g = f["mask_mod"][1]
        allowed &= np.array([[bool(g(head, int(pp), int(kk))) for kk in kpos] for pp in qpos])
    return allowed, qpos, kpos


def alibi_slopes(H):
    """ALiBi's slope of each of H query heads (Press et al. 2022, the reference implementation's rule):
    2^(-8 (h + 1) / H) for H a power of two; otherwise c = the largest power of two below H gives its
    c slopes, then every other slope of 2c."""
    c = 1
    while c * 2 <= H:
        c *= 2
    power = [LD(2) ** (-LD(8) * (h + 1) / c) for h in range(c)]
    double = [LD(2) ** (-LD(8) * (h + 1) / (2 * c)) for h in range(2 * c)]
    return (power + double[0::2])[:H]


def mechanisms_of(f, head=0, H=1):
    """attend's `mech` for the fixture fields f and query head `head` of H."""
    slope = alibi_slopes(H)[head] if f.get("alibi") else f.get("slope")
    sink = f.get("sink")
    if isinstance(sink, list):  # one logit per query head
        sink = sink[head]
    return {"softcap": f.get("softcap"), "slope": slope, "score_mod": f.get("score_mod"), "head": head,
            "sink": sink}


def sdpa_mechanisms(q, k, v, f, lse=None):
    """sdpa with the positions and modifiers of the fixture fields f (lse: as attend's)."""
    L, Dk = q.shape
    S = k.shape[0]
    scale = 1 / np.sqrt(LD(Dk)) if f.get("scale") is None else f["scale"]
    allowed, qpos, kpos = mechanism_positions(L, S, f)
    mech = dict(mechanisms_of(f), qpos=qpos, kpos=kpos)
    bias = f.get("bias")
    return attend(q.astype(LD), k.astype(LD), v.astype(LD), allowed, None if bias is None else bias.astype(LD),
                  scale, mech=mech, lse=lse)


def linear(x, W, b, xerr=None):
    """x W^T + b (PyTorch's layout) and its error bound."""
    y = x.astype(LD) @ W.astype(LD).T + b.astype(LD)
    with np.errstate(invalid="ignore"):
        mag = np.abs(x).astype(float) @ np.abs(W).astype(float).T + np.abs(b).astype(float)
        err = (x.shape[1] + 1) * mag
        if xerr is not None:
            err = err + xerr @ np.abs(W).astype(float).T
    return y, err


def mha(query, key, value, p, H, G, causal=None, keep=None, bias=None, scale=None, mechanisms=None):
    """mechanisms: the fixture fields f of a case with positions or modifiers (they then define the
    mask, with causal and keep among them), or None."""
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
        mech = None
        if mechanisms is not None:
            allowed, qpos, kpos = mechanism_positions(L, S, mechanisms, h)
            mech = dict(mechanisms_of(mechanisms, h, H), qpos=qpos, kpos=kpos)
        w, o, we, oe = attend(q[:, qc], k[:, kc], v[:, kc], allowed, None if bias is None else bias.astype(LD),
                              scale, qerr[:, qc], kerr[:, kc], verr[:, kc], mech)
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


# The options that give positions or modify scores; a case with any of them is computed by
# mechanism_positions and modified_scores.
MECHANISMS = ["align_lower_right", "query_offset", "key_offset", "window", "key_length", "slope", "alibi",
              "softcap", "score_mod", "mask_mod", "sink"]


def option_argument(option, f):
    """The C++ argument of one option of the fixture fields f, or None when f does not have it."""
    value = f.get(option)
    if value is None or value is False:
        return None
    if option == "causal":
        return "cxattn::causal" if value == "upper_left" else "cxattn::causal_lower_right"
    if option == "keep":
        return "in.bool_mask"
    if option == "bias":
        return "in.additive_mask"
    if option == "scale":
        return "cxattn::scale(in.scale)"
    if option in ("align_lower_right", "alibi"):
        return "cxattn::" + option
    if option in ("query_offset", "key_offset", "key_length"):
        return f"cxattn::{option}({value})"
    if option == "window":
        left, right = value
        left = "std::numeric_limits<std::size_t>::max()" if left is None else str(left)
        return f"cxattn::sliding_window({left})" if right == 0 else f"cxattn::sliding_window({left}, {right})"
    if option == "slope":
        return f"cxattn::alibi_slope({literal(value, 'double')})"
    if option == "softcap":
        return f"cxattn::softcap({literal(value, 'double')})"
    if option in ("score_mod", "mask_mod"):
        return f"cxattn::{option}({value[0]})"
    if option == "sink":
        return "cxattn::sink(in.sinks)" if isinstance(value, list) else f"cxattn::sink({literal(value, 'double')})"
    raise ValueError(option)


def call_text(args, wrap):
    """The fixture's call(); wrap: break the arguments over lines of at most 120 columns."""
    s = "    static constexpr auto call(const auto& attention, const auto& in) {\n"
    if not wrap:
        return s + f"        return attention({', '.join(args)});\n    }}\n}};\n\n"
    lines, line = [], "        return attention("
    for n, arg in enumerate(args):
        item = arg + (");" if n == len(args) - 1 else ",")
        if len(line) + len(item) + 1 > 120 and not line.endswith("("):
            lines.append(line.rstrip())
            line = "                         "
        line += item + " "
    lines.append(line.rstrip())
    return s + "\n".join(lines) + "\n    }\n};\n\n"


def doc_comment(doc, wrap):
    if not wrap:
        return f"// {doc}\n"
    return "".join(f"// {line}\n" for line in textwrap.wrap(doc, 110))


def emit_sdpa_case(c, wrap=False):
    f = c.fields
    q, k, v = f["query"], f["key"], f["value"]
    causal, keep, bias, scale = f.get("causal"), f.get("keep"), f.get("bias"), f.get("scale")
    order = f.get("order", ["causal", "keep", "bias", "scale"])
    lse = [] if partial_case(f) else None
    if any(f.get(m) is not None for m in MECHANISMS):
        w, out, werr, oerr = sdpa_mechanisms(q, k, v, f, lse)
    else:
        w, out, werr, oerr = sdpa(q, k, v, causal, keep, bias, scale)
    L, Dk = q.shape
    S, Dv = v.shape
    args = ["in.query", "in.key", "in.value"]
    args += [a for a in (option_argument(option, f) for option in order) if a is not None]
    s = doc_comment(c.doc, wrap) + f"struct {c.name} {{\n"
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
    if lse is not None:
        s += array("lse", np.array([x for x, _ in lse], dtype=LD))
        s += array("lse_bound", np.array([b for _, b in lse]), "bound", comment="in eps of the element type")
    return s + call_text(args, wrap)


def partial_case(f):
    """Whether partial_attention takes the case's options (a mechanisms case without the lower-right
    options and a sink): its fixture then has the rows' log-sum-exps."""
    return (any(f.get(m) is not None for m in MECHANISMS) and f.get("causal") != "lower_right"
            and not f.get("align_lower_right") and f.get("sink") is None)


def emit_mha_case(c, wrap=False):
    f = c.fields
    q, k, v, p, H, G = f["query"], f["key"], f["value"], f["params"], f["H"], f["G"]
    causal, keep, bias, scale = f.get("causal"), f.get("keep"), f.get("bias"), f.get("scale")
    mechanisms = f if any(f.get(m) is not None for m in MECHANISMS) else None
    w, out, werr, oerr = mha(q, k, v, p, H, G, causal, keep, bias, scale, mechanisms)
    L, E = q.shape
    S, KDim = k.shape
    VDim = v.shape[1]
    args = ["in.query", "in.key", "in.value", "in.params"]
    order = f.get("order", ["causal", "keep", "bias", "scale"] + MECHANISMS)
    args += [a for a in (option_argument(option, f) for option in order) if a is not None]
    s = doc_comment(c.doc, wrap) + f"struct {c.name} {{\n"
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
    if isinstance(f.get("sink"), list):
        s += array("sinks", np.array([f["sink"]]))
    s += array("weights", w) + array("weights_bound", werr, "bound", comment="in eps of the element type")
    s += array("output", out) + array("output_bound", oerr, "bound", comment="in eps of the element type")
    return s + call_text(args, wrap)


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
    return write_lists(filename, title, namespace, [(cases, emit, list_name)])


def write_lists(filename, title, namespace, lists):
    """A fixture file of several lists: (cases, emit, list_name) each."""
    guard = "CXATTN_TESTS_FIXTURES_" + filename.upper().replace(".", "_")
    text = HEADER.format(title=title, guard=guard, namespace=namespace)
    for cases, emit, _ in lists:
        for c in cases if emit is not None else []:  # (a list of cases emitted before: emit None)
            text += emit(c)
    text += "template <class... Fixtures> struct list {};\n"
    for cases, _, list_name in lists:
        names = ",\n    ".join(c.name for c in cases)
        text += f"using {list_name} = list<\n    {names}>;\n"
    text += f"\n}} // namespace fixtures::{namespace}\n\n#endif // {guard}\n"
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


def c_remainder(a, b):
    """C++'s a % b for integers (truncating), which Python's % is not for a negative a."""
    r = abs(a) % abs(b)
    return -r if a < 0 else r


def mechanism_cases():
    """Positions (query_offset, key_offset, the lower-right alignments, key_length), sliding windows,
    ALiBi, softcap, mask_mod and score_mod, alone and together; L, S <= 8 so that the static test
    stays within the compilers' default constant-evaluation limits."""
    rng = np.random.default_rng(7)
    nan = float("nan")
    cases = []

    def add(name, doc, L, S, Dk=4, Dv=3, poke=None, **options):
        q, k, v = data(rng, (L, Dk)), data(rng, (S, Dk)), data(rng, (S, Dv))
        if poke is not None:
            poke(k, v)
        order = options.pop("order", None)
        if order is None:  # the options in the order of their keywords
            order = [o for o in options if o in ["causal", "keep", "bias", "scale"] + MECHANISMS]
        cases.append(Case(name, doc, query=q, key=k, value=v, order=order, **options))

    # Sliding windows.
    add("window_causal", "causal with sliding_window(2): query i sees keys i - 2 .. i (a Hugging Face / Mistral "
        "sliding_window of 3).", 6, 6, causal="upper_left", window=(2, 0))
    add("window_two_sided", "sliding_window(1, 2) without causal: query i sees keys i - 1 .. i + 2, clipped to "
        "the keys there are.", 6, 6, window=(1, 2))
    add("window_align_lower_right", "align_lower_right with sliding_window(2, 1), L = 3 < S = 7: p(i) = 4 + i, "
        "so query 0 sees keys 2 .. 5 and query 2 keys 4 .. 6; no causal mask.", 3, 7, align_lower_right=True,
        window=(2, 1))
    add("window_causal_lower_right", "causal_lower_right with sliding_window(1), L = 4 < S = 7: p(i) = 3 + i "
        "sees keys p(i) - 1 and p(i).", 4, 7, window=(1, 0), causal="lower_right")
    add("window_unbounded_left", "sliding_window(SIZE_MAX, 1): the left bound saturates (unbounded), so query "
        "i sees keys 0 .. i + 1.", 5, 5, window=(None, 1))
    add("window_key_offset", "key_offset(-3) with sliding_window(1, 1): k(j) = j - 3, so query i sees keys "
        "j = i + 2 .. i + 4 that exist: query 3 key 5 only, query 4 none (weights 0, output 0).", 5, 6, key_offset=-3,
        window=(1, 1))
    add("window_beyond_keys", "query_offset(9) with sliding_window(2): p(i) = 9 + i, whose windows hold keys "
        "7 .. 11 at most: query 0 sees key 7 only, queries 1 and 2 none (weights 0, output 0).", 3, 8,
        query_offset=9, window=(2, 0))

    # key_length.
    def poison_tail(k, v):
        k[3, 1], v[4, 0] = nan, INF  # past key_length(3): never read
    add("key_length_masks_the_tail", "key_length(3) of S = 5: keys 3 and 4 are masked and never read (NaN in key 3, inf in "
        "value 4).", 3, 5, key_length=3, poke=poison_tail)

    def poison_first(k, v):
        k[0, 0], v[1, 2] = nan, nan
    add("key_length_zero", "key_length(0): every key is masked, every row is fully masked (weights 0, output 0); "
        "the NaN in key 0 and value 1 is never read.", 3, 4, key_length=0, poke=poison_first)
    add("key_length_causal_lower_right", "causal_lower_right with key_length(4), L = 3, S = 6: n = 4, p(i) = "
        "1 + i, so query i sees keys 0 .. i + 1, and keys 4, 5 are masked.", 3, 6, causal="lower_right",
        key_length=4)
    add("key_length_causal_lower_right_more_queries", "causal_lower_right with key_length(3), L = 5 > n = 3: "
        "p(i) = i - 2, so queries 0 and 1 (p < 0) see no key (weights 0, output 0) and query 4 sees keys 0 .. 2.",
        5, 6, key_length=3, causal="lower_right")
    add("key_length_align_lower_right_window", "align_lower_right, key_length(5), sliding_window(1, 1), L = 2, "
        "S = 6: p(i) = 3 + i; query 0 sees keys 2 .. 4, query 1 keys 3, 4 (key 5 is past n).", 2, 6,
        key_length=5, align_lower_right=True, window=(1, 1))

    # query_offset and key_offset.
    add("offsets_causal", "query_offset(4), key_offset(2) and causal: query i (p = 4 + i) sees keys j <= i + 2.",
        3, 6, query_offset=4, key_offset=2, causal="upper_left")
    add("offsets_negative_query", "query_offset(-2) and causal: queries 0 and 1 sit before every key (weights 0, "
        "output 0); query 3 sees keys 0, 1.", 4, 4, causal="upper_left", query_offset=-2)

    # ALiBi.
    add("alibi_unmasked", "alibi_slope(0.5) without a mask: the score of key j gains 0.5 (j - i), positive after the "
        "query.", 4, 5, slope=0.5)
    add("alibi_causal", "alibi_slope(0.3), which float and double round, with causal.", 5, 5, causal="upper_left",
        slope=0.3)
    add("alibi_offsets", "alibi_slope(0.25) with query_offset(3), key_offset(1): the distance is k(j) - p(i) = "
        "j - i - 2.", 3, 5, slope=0.25, query_offset=3, key_offset=1)

    # softcap.
    add("softcap_unmasked", "softcap(1.5): scores s become 1.5 tanh(s / 1.5).", 3, 5, softcap=1.5)
    add("softcap_saturating", "softcap(2) with scale(4): scores up to about 20, where tanh is near 1.", 3, 5,
        scale=4.0, softcap=2.0)
    add("softcap_causal_lower_right", "softcap(0.75) with causal_lower_right, L = 3, S = 5.", 3, 5,
        causal="lower_right", softcap=0.75)

    # mask_mod and score_mod.
    add("mask_mod_signed_positions", "mask_mod keeping (q + k) % 3 != 1, with query_offset(1).", 4, 5, query_offset=1,
        mask_mod=("[](std::size_t, std::ptrdiff_t q, std::ptrdiff_t k) { return (q + k) % 3 != 1; }",
                  lambda h, q, k: c_remainder(q + k, 3) != 1))
    add("mask_mod_unsigned_positions", "mask_mod taking the positions as std::size_t (converted), with causal.",
        4, 5, causal="upper_left",
        mask_mod=("[](std::size_t, std::size_t q, std::size_t k) { return (q + 2 * k) % 4 != 3; }",
                  lambda h, q, k: (q + 2 * k) % 4 != 3))
    add("score_mod_after_softcap_alibi", "score_mod s / 2 + (k > q - 2 ? 0.25 : -0.5) after softcap(2) and "
        "alibi_slope(0.5), before the additive bias: the order of docs/semantics.md.", 4, 5, softcap=2.0, slope=0.5,
        score_mod=("[](auto s, std::size_t, std::ptrdiff_t q, std::ptrdiff_t k) { using T = decltype(s); "
                   "return s / T(2) + (k > q - 2 ? T(0.25) : T(-0.5)); }",
                   0.5, lambda h, q, k: 0.25 if k > q - 2 else -0.5),
        bias=data(rng, (4, 5), -1, 1))

    # Together.
    bias = data(rng, (4, 7), -1, 1)
    bias[2, 3] = -INF
    add("combined", "softcap(2), alibi_slope(0.375), sliding_window(3, 1), key_length(6) and an additive mask "
        "with -inf at (2, 3), L = 4, S = 7.", 4, 7, bias=bias, softcap=2.0, window=(3, 1), slope=0.375,
        key_length=6)
    keep = rng.uniform(size=(4, 8)) < 0.8
    bias = data(rng, (4, 8), -1, 1)
    sinks_rng = np.random.default_rng(9)  # the sink cases draw from their own generator: the others stay
    rng_before, rng = rng, sinks_rng
    add("sink_below", "sink(-0.5): one more logit in each row's softmax, with no value, below the largest "
        "scores: the weights sum to less than 1.", 3, 5, sink=-0.5)
    add("sink_above", "sink(3) with scale(0.25): above every score, so the row's exps are rescaled; causal.",
        4, 4, causal="upper_left", scale=0.25, sink=3.0)
    add("sink_fully_masked_rows", "sink(1) with query_offset(-2) and causal: queries 0 and 1 see no key (weights "
        "0, output 0, whatever the sink); a NaN in key 3 past key_length(3) is never read.", 4, 4,
        causal="upper_left", query_offset=-2, key_length=3, sink=1.0, poke=lambda k, v: k.__setitem__((3, 0), nan))
    add("sink_minus_infinity", "sink(-inf): no sink, the weights sum to 1.", 3, 4, sink=-INF)
    add("sink_with_modifiers", "sink(0.5) with softcap(1.5), alibi_slope(0.25), sliding_window(2) and an "
        "additive mask: the sink is used as given, not capped, biased or masked.", 4, 6, softcap=1.5, slope=0.25,
        window=(2, 0), causal="upper_left", bias=data(rng, (4, 6), -1, 1), sink=0.5)
    rng = rng_before
    add("combined_causal_lower_right", "causal_lower_right, key_length(6), sliding_window(2), alibi_slope(0.125), "
        "softcap(1), a bool mask, an additive mask and scale(0.75), L = 4, S = 8: p(i) = 2 + i.", 4, 8,
        key_length=6, keep=keep, softcap=1.0, causal="lower_right", bias=bias, slope=0.125, window=(2, 0),
        scale=0.75)
    return cases


def mechanism_mha_cases():
    rng = np.random.default_rng(8)
    cases = []

    def add(name, doc, L, S, E, H, G=None, KDim=None, VDim=None, **options):
        G = H if G is None else G
        KDim = E if KDim is None else KDim
        VDim = E if VDim is None else VDim
        query, key, value = data(rng, (L, E), -1, 1), data(rng, (S, KDim), -1, 1), data(rng, (S, VDim), -1, 1)
        params = mha_params(rng, E, G * (E // H), KDim, VDim)
        order = [o for o in options if o in ["causal", "keep", "bias", "scale"] + MECHANISMS]
        cases.append(Case(name, doc, query=query, key=key, value=value, params=params, H=H, G=G, order=order,
                          **options))

    add("mha_alibi_h4", "cxattn::alibi with H = 4: slopes 1/4, 1/16, 1/64, 1/256; scale(2) so that they matter.",
        3, 5, 8, 4, alibi=True, scale=2.0)
    add("mha_alibi_h6_causal", "cxattn::alibi with H = 6 (not a power of two): slopes 1/4, 1/16, 1/64, 1/256, "
        "1/2, 1/8; causal; E = 12.", 4, 4, 12, 6, causal="upper_left", alibi=True, scale=2.0)
    add("mha_alibi_h6_gqa", "cxattn::alibi with H = 6 query heads over G = 2 key/value heads: the slope is the "
        "query head's; causal_lower_right and key_length(4), L = 3, S = 5.", 3, 5, 12, 6, G=2, alibi=True,
        causal="lower_right", key_length=4, scale=2.0)
    add("mha_alibi_h12", "cxattn::alibi with H = 12: heads 8 .. 11 take 2^-0.5, 2^-1.5, 2^-2.5, 2^-3.5, which "
        "the element type rounds; head_dim 1.", 2, 3, 12, 12, alibi=True, scale=2.0)
    add("mha_alibi_mqa_softcap", "cxattn::alibi with H = 4 over one key/value head (MQA), softcap(1), cross "
        "dimensions.", 3, 4, 8, 4, G=1, KDim=5, VDim=6, softcap=1.0, alibi=True)
    add("mha_sliding_window", "causal with sliding_window(2), L = S = 6, 2 heads.", 6, 6, 8, 2, causal="upper_left",
        window=(2, 0))
    add("mha_sliding_window_align_lower_right", "align_lower_right, sliding_window(1, 1) and key_length(6), "
        "L = 3, S = 7: p(i) = 3 + i.", 3, 7, 8, 2, window=(1, 1), align_lower_right=True, key_length=6)
    add("mha_modifiers_by_head", "mask_mod and score_mod that read the query head (4 heads over 2 key/value "
        "heads; score_mod raises the even keys by h / 4), with causal.", 4, 4, 8, 4, G=2, causal="upper_left",
        mask_mod=("[](std::size_t h, std::ptrdiff_t q, std::ptrdiff_t k) { "
                  "return (static_cast<std::ptrdiff_t>(h) + q + k) % 4 != 1; }",
                  lambda h, q, k: c_remainder(h + q + k, 4) != 1),
        score_mod=("[](auto s, std::size_t h, std::ptrdiff_t, std::ptrdiff_t k) { using T = decltype(s); "
                   "return k % 2 == 0 ? s + T(0.25) * static_cast<T>(h) : s; }",
                   1.0, lambda h, q, k: 0.25 * h if c_remainder(k, 2) == 0 else 0.0))
    add("mha_sinks_per_head", "cxattn::sink with a matrix<T, 1, 4> of one logit per query head (gpt-oss): "
        "-1, 0.5, 2 and -inf (head 3 has none), 4 heads over 2 key/value heads, causal.", 4, 5, 8, 4, G=2,
        causal="upper_left", sink=[-1.0, 0.5, 2.0, -INF])
    add("mha_sink_one_logit", "cxattn::sink(0.25): the same logit in every head, with cxattn::alibi and "
        "key_length(4).", 3, 5, 8, 2, alibi=True, key_length=4, sink=0.25, scale=2.0)
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
        write_lists("mechanisms.hpp", "Positions, sliding windows, key_length, ALiBi, softcap, mask_mod and "
                    "score_mod, with reference results.", "mechanisms",
                    [(mechanism_cases(), lambda c: emit_sdpa_case(c, wrap=True), "sdpa_all"),
                     (mechanism_mha_cases(), lambda c: emit_mha_case(c, wrap=True), "mha_all"),
                     ([c for c in mechanism_cases() if partial_case(c.fields)], None, "partial_all")]),
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
