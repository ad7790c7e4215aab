#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Export the nn.MultiheadAttention modules of a PyTorch checkpoint as a C++ header of cxattn::mha_params.

    tools/cxattn_export.py CHECKPOINT -o HEADER [--module NAME] [--namespace NS] [--matrix MODULE ...]
                           [--num-heads [MODULE=]N] [--kv-heads [MODULE=]N|auto] [--zero-attn-sink]
                           [--eps [MODULE=]VALUE] [--spdx LICENSE] [--weights-only]

CHECKPOINT is what torch.save wrote: a state_dict (a dict of tensors, also under a "state_dict" or
"model_state_dict" key) or a whole pickled module. HEADER gets one
`inline constexpr cxattn::mha_params<T, E, NumHeads, ...> NAME{...};` per nn.MultiheadAttention
(NAME: the module's path with '.' replaced by '_'; the root module is `mha`) inside `namespace NS`
(default `model`), and with --matrix the tensors of an nn.Linear, nn.Embedding or nn.LayerNorm as
cxattn::matrix objects `NAME_weight`, `NAME_bias` (and `NAME_eps`). Every value is a hexadecimal
floating literal, so the header holds the checkpoint's exact bits. docs/exporter.md has the mapping,
the state_dict rules and what is refused.

A state_dict does not record num_heads: give --num-heads. Errors print one line
`cxattn_export: error: ...` on stderr and exit with status 2.

The script needs PyTorch. Debian's python3-torch (`./scripts/setup.sh model`) serves
/usr/bin/python3 only; started by another interpreter without torch (a version manager's python3
first on PATH), the script runs itself again with /usr/bin/python3 when that one exists.
"""
import argparse
import hashlib
import os
import re
import shlex
import struct
import sys
import textwrap

PROG = "cxattn_export"
EXIT_ERROR = 2
SYSTEM_PYTHON = "/usr/bin/python3"
REEXEC_MARK = "CXATTN_EXPORT_FIRST_INTERPRETER"  # set in the environment of the re-executed script


class ExportError(Exception):
    """A malformed input or an unsupported option: reported as one line, exit status 2."""


def fail(message):
    print(f"{PROG}: error: {' '.join(str(message).split())}", file=sys.stderr)
    sys.exit(EXIT_ERROR)


def import_torch():
    """torch, or re-execute this script with /usr/bin/python3 (Debian's python3-torch), or exit 2."""
    try:
        import torch  # here, not at the top: the error names the interpreter, or the script re-runs itself
        return torch
    except Exception as e:  # ImportError, or a broken installation (a missing numpy, ...)
        reason = f"{type(e).__name__}: {e}"
    first = os.environ.get(REEXEC_MARK)
    if first is None and os.path.exists(SYSTEM_PYTHON) and \
            os.path.realpath(SYSTEM_PYTHON) != os.path.realpath(sys.executable):
        env = dict(os.environ, **{REEXEC_MARK: sys.executable})
        try:
            os.execve(SYSTEM_PYTHON, [SYSTEM_PYTHON, os.path.abspath(__file__)] + sys.argv[1:], env)
        except OSError:
            pass
    tried = sys.executable if first is None else f"{first} and {sys.executable}"
    fail(f"PyTorch is not importable by {tried} ({reason}); install Debian's python3-torch "
         f"(./scripts/setup.sh model), which serves /usr/bin/python3, and run the script with it")


# Values

def c_type(dtype_name):
    return "double" if dtype_name == "float64" else "float"


def literal(x, ctype):
    """x as a hexadecimal floating literal of ctype holding its exact bits (the value is one of ctype)."""
    if x != x:
        return f"std::numeric_limits<{ctype}>::quiet_NaN()"
    if x in (float("inf"), float("-inf")):
        return ("-" if x < 0 else "") + f"std::numeric_limits<{ctype}>::infinity()"
    text = re.sub(r"\.?0*p", "p", float.hex(x))  # 0x1.8000000000000p-3 -> 0x1.8p-3
    return text + ("f" if ctype == "float" else "")


def flat_values(tensor):
    return [float(v) for v in tensor.detach().cpu().contiguous().reshape(-1).tolist()]


def values_text(values, ctype, cols, indent):
    """The brace-enclosed values, one matrix row per line (at most 8 values a line)."""
    per_line = max(1, min(cols, 8))
    lines = []
    for start in range(0, len(values), per_line):
        lines.append(", ".join(literal(v, ctype) for v in values[start:start + per_line]))
    if not lines:
        return "{}"
    pad = " " * indent
    return "{" + (",\n" + pad + " ").join(lines) + "}"


def identifier(path, root_name):
    """The C++ name of a module path: '.' (and anything else not allowed) -> '_'."""
    if path == "":
        return root_name
    name = re.sub(r"[^0-9A-Za-z_]", "_", path)
    return "m_" + name if name[0].isdigit() else name


def parse_per_module(specs):
    """[MODULE=]VALUE items -> ({module: value}, default or None)."""
    per_module, default = {}, None
    for spec in specs or []:
        if "=" in spec:
            module, value = spec.rsplit("=", 1)
            per_module[module] = value
        else:
            default = spec
    return per_module, default


# Loading

def load_checkpoint(torch, path, weights_only):
    """(object, kind, notes): a state_dict (dict of tensors) or an nn.Module."""
    if not os.path.exists(path):
        raise ExportError(f"{path}: no such file")
    if not os.path.isfile(path):
        raise ExportError(f"{path}: not a file")
    notes = []
    import pickle
    import types
    import warnings

    stubbed = []

    class StubUnpickler(pickle.Unpickler):
        # A whole module pickles its class by name: a model class defined in the training script
        # is not importable here, so it becomes an empty nn.Module subclass holding the same state
        # (its children and parameters are torch's own classes, or stubs in turn).
        def find_class(self, module, name):
            try:
                return super().find_class(module, name)
            except (AttributeError, ImportError):
                stubbed.append(f"{module}.{name}")

                def init(self, *args, **kwargs):
                    torch.nn.Module.__init__(self)

                return type(name, (torch.nn.Module,), {"__module__": module, "__init__": init})

    stub_pickle = types.ModuleType("cxattn_stub_pickle")
    stub_pickle.__dict__.update({k: getattr(pickle, k) for k in dir(pickle) if not k.startswith("__")})
    stub_pickle.Unpickler = StubUnpickler
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. "source code of class ... has changed": one line on stderr only
        try:
            obj = torch.load(path, map_location="cpu", weights_only=True)
        except Exception as e:
            if weights_only:
                raise ExportError(f"{path}: not a state_dict loadable with weights_only=True "
                                  f"({type(e).__name__}: {first_line(e)})")
            # PyTorch 1.13's torch.load replaces a pickle_module given without weights_only by its
            # global pickle: the stub reaches it through that global too.
            serialization = torch.serialization
            saved = getattr(serialization, "pickle", None)
            try:
                serialization.pickle = stub_pickle
                obj = torch.load(path, map_location="cpu", pickle_module=stub_pickle)
            except Exception as e2:
                raise ExportError(f"{path}: not a PyTorch checkpoint ({type(e2).__name__}: {first_line(e2)})")
            finally:
                serialization.pickle = saved
    if stubbed:
        notes.append("classes not importable here, loaded as plain nn.Module: " + ", ".join(sorted(set(stubbed))))
    if isinstance(obj, dict):
        for key in ("state_dict", "model_state_dict"):
            if key in obj and isinstance(obj[key], dict):
                notes.append(f"the state_dict under the checkpoint's key '{key}'")
                obj = obj[key]
                break
        else:
            if "model" in obj and isinstance(obj["model"], torch.nn.Module):
                notes.append("the module under the checkpoint's key 'model'")
                obj = obj["model"]
    if isinstance(obj, torch.nn.Module):
        return obj, "module", notes
    if isinstance(obj, dict):
        bad = [k for k, v in obj.items() if not isinstance(k, str) or not isinstance(v, torch.Tensor)]
        if bad:
            raise ExportError(f"{path}: a dict that is not a state_dict (the entry {bad[0]!r} is not a tensor)")
        return obj, "state_dict", notes
    raise ExportError(f"{path}: holds a {type(obj).__name__}, neither a state_dict nor an nn.Module")


def first_line(e):
    text = str(e).strip().splitlines()
    return text[0] if text else ""


# nn.MultiheadAttention

MHA_KEYS = ("in_proj_weight", "q_proj_weight", "k_proj_weight", "v_proj_weight", "in_proj_bias",
            "out_proj.weight", "out_proj.bias", "bias_k", "bias_v")


class Attention:
    """One nn.MultiheadAttention: its tensors (by their state_dict names) and options."""

    def __init__(self, path, tensors, num_heads, options):
        self.path = path
        self.tensors = tensors  # name (without the module's prefix) -> tensor
        self.num_heads = num_heads
        self.options = options  # option name -> value, or None where the checkpoint does not say


def attentions_of_module(torch, root):
    found = []
    for path, m in root.named_modules():
        if not isinstance(m, torch.nn.MultiheadAttention):
            continue
        tensors = {k: v for k, v in m.state_dict().items() if "." not in k or k.startswith("out_proj.")}
        options = {"batch_first": getattr(m, "batch_first", False), "dropout": m.dropout,
                   "add_bias_kv": m.bias_k is not None, "add_zero_attn": m.add_zero_attn,
                   "kdim": m.kdim, "vdim": m.vdim}
        found.append(Attention(path, tensors, m.num_heads, options))
    return found


def attentions_of_state_dict(state_dict, num_heads_for):
    prefixes = []
    for key in state_dict:
        for anchor in ("in_proj_weight", "q_proj_weight"):
            if key.endswith(anchor):
                prefix = key[:-len(anchor)]
                if (prefix == "" or prefix.endswith(".")) and prefix not in prefixes:
                    prefixes.append(prefix)
    found = []
    for prefix in prefixes:
        path = prefix[:-1]
        tensors = {k: state_dict[prefix + k] for k in MHA_KEYS if prefix + k in state_dict}
        options = {"batch_first": None, "dropout": None, "add_bias_kv": "bias_k" in tensors,
                   "add_zero_attn": None, "kdim": None, "vdim": None}
        found.append(Attention(path, tensors, num_heads_for(path), options))
    return found


def shape_of(t):
    return "x".join(str(d) for d in t.shape) if t.dim() else "scalar"


def check_shape(att, key, tensor, shape):
    if tuple(tensor.shape) != tuple(shape):
        raise ExportError(f"{display(att.path)}: {key} is {shape_of(tensor)}, expected "
                          f"{'x'.join(str(d) for d in shape)}")


def display(path):
    return f"module '{path}'" if path else "the root module"


def mha_object(att, kv_heads_spec, zero_attn_sink):
    """(name, template arguments, members {name: (rows, cols, values)}, C++ type, comment lines, zero_attn)."""
    t = att.tensors
    where = display(att.path)
    prefix = att.path + "." if att.path else ""
    if att.options["add_bias_kv"]:
        raise ExportError(f"{where}: add_bias_kv=True appends a learned key and value row (bias_k, bias_v) "
                          f"after the projections, which cxattn::mha_params cannot represent")
    if zero_attn_sink and att.options["add_zero_attn"] is None:
        att.options["add_zero_attn"] = True  # a state_dict does not say: --zero-attn-sink says it was True
        att.options["from_flag"] = True
    zero_attn = bool(att.options["add_zero_attn"])
    if zero_attn and not zero_attn_sink:
        raise ExportError(f"{where}: add_zero_attn=True appends a zero key and value row, which "
                          f"cxattn::mha_params cannot represent (the same attention is a cxattn::sink of "
                          f"logit 0 passed to every call: --zero-attn-sink writes it)")

    def need(key):
        if key not in t:
            raise ExportError(f"{where}: missing key '{prefix}{key}'")
        return t[key]

    out_w = need("out_proj.weight")
    if out_w.dim() != 2 or out_w.shape[0] != out_w.shape[1]:
        raise ExportError(f"{where}: out_proj.weight is {shape_of(out_w)}, expected E x E")
    e = out_w.shape[0]
    if "in_proj_weight" in t:
        w = t["in_proj_weight"]
        check_shape(att, "in_proj_weight", w, (3 * e, e))
        q_w, k_w, v_w = w[0:e], w[e:2 * e], w[2 * e:3 * e]
        kdim = vdim = e
        source = "in_proj_weight"
    else:
        q_w, k_w, v_w = need("q_proj_weight"), need("k_proj_weight"), need("v_proj_weight")
        check_shape(att, "q_proj_weight", q_w, (e, e))
        if k_w.dim() != 2 or k_w.shape[0] != e:
            raise ExportError(f"{where}: k_proj_weight is {shape_of(k_w)}, expected {e} x kdim")
        if v_w.dim() != 2 or v_w.shape[0] != e:
            raise ExportError(f"{where}: v_proj_weight is {shape_of(v_w)}, expected {e} x vdim")
        kdim, vdim = k_w.shape[1], v_w.shape[1]
        source = "q_proj_weight, k_proj_weight, v_proj_weight"
    has_in_bias, has_out_bias = "in_proj_bias" in t, "out_proj.bias" in t
    if has_in_bias != has_out_bias:
        raise ExportError(f"{where}: missing key '{prefix}{'out_proj.bias' if has_in_bias else 'in_proj_bias'}'"
                          f" (bias=True has both in_proj_bias and out_proj.bias, bias=False neither)")
    if has_in_bias:
        check_shape(att, "in_proj_bias", t["in_proj_bias"], (3 * e,))
        check_shape(att, "out_proj.bias", t["out_proj.bias"], (e,))
        b = t["in_proj_bias"]
        q_b, k_b, v_b, out_b = b[0:e], b[e:2 * e], b[2 * e:3 * e], t["out_proj.bias"]
    else:
        q_b = k_b = v_b = out_b = None

    heads = att.num_heads
    if heads is None:
        raise ExportError(f"{where}: a state_dict does not record num_heads: give --num-heads N "
                          f"(or --num-heads {att.path or 'MODULE'}=N)")
    if heads <= 0 or e % heads != 0:
        raise ExportError(f"{where}: embed_dim {e} is not a multiple of num_heads {heads}")
    head_dim = e // heads

    dtypes = {str(x.dtype).replace("torch.", "") for x in (out_w, q_w, k_w, v_w, q_b, out_b) if x is not None}
    if len(dtypes) != 1:
        raise ExportError(f"{where}: tensors of several dtypes ({', '.join(sorted(dtypes))})")
    dtype = dtypes.pop()
    if dtype not in ("float32", "float64", "float16", "bfloat16"):
        raise ExportError(f"{where}: tensors of dtype {dtype}; float32, float64, float16 or bfloat16 expected")

    kv_heads = heads
    if kv_heads_spec is not None:
        kv_heads = repeated_kv_heads(att, heads, head_dim, k_w, v_w, k_b, v_b, kv_heads_spec)
    group = heads // kv_heads
    kv_rows = [r for n in range(kv_heads) for r in range(n * group * head_dim, (n * group + 1) * head_dim)]
    kv_dim = kv_heads * head_dim

    def rows(tensor, selected):
        return tensor[selected] if selected is not None else tensor

    members = {
        "q_proj": (e, e, flat_values(q_w)),
        "k_proj": (kv_dim, kdim, flat_values(rows(k_w, kv_rows))),
        "v_proj": (kv_dim, vdim, flat_values(rows(v_w, kv_rows))),
        "out_proj": (e, e, flat_values(out_w)),
        "q_bias": (1, e, flat_values(q_b) if q_b is not None else [0.0] * e),
        "k_bias": (1, kv_dim, flat_values(k_b[kv_rows]) if k_b is not None else [0.0] * kv_dim),
        "v_bias": (1, kv_dim, flat_values(v_b[kv_rows]) if v_b is not None else [0.0] * kv_dim),
        "out_bias": (1, e, flat_values(out_b) if out_b is not None else [0.0] * e),
    }
    ctype = c_type(dtype)
    args = [ctype, e, heads, kdim, vdim, kv_heads]
    defaults = [None, None, None, e, e, heads]
    while len(args) > 3 and args[-1] == defaults[len(args) - 1]:
        args.pop()

    o = att.options

    def opt(name, default_text="not recorded in a state_dict"):
        return repr(o[name]) if o[name] is not None else default_text

    zero_attn_text = opt("add_zero_attn", "False (assumed: a state_dict does not record it)")
    if zero_attn and o.get("from_flag"):
        zero_attn_text += " (given by --zero-attn-sink)"
    widened = " (widened to float exactly)" if dtype in ("float16", "bfloat16") else ""
    sources = f"{source}, in_proj_bias, out_proj.weight, out_proj.bias" if has_in_bias else \
        f"{source}, out_proj.weight (bias=False: the biases are zeros)"
    comment = [
        f"{display(att.path)}: nn.MultiheadAttention(embed_dim={e}, num_heads={heads}, kdim={kdim}, vdim={vdim}, "
        f"bias={has_in_bias}, add_bias_kv=False, add_zero_attn={zero_attn_text}, dropout={opt('dropout')} "
        f"(no dropout in cxattn: eval mode), batch_first={opt('batch_first')}), {dtype}{widened}",
        f"  from {sources}; q_proj {e}x{e}, k_proj {kv_dim}x{kdim}, "
        f"v_proj {kv_dim}x{vdim}, out_proj {e}x{e}, q_bias 1x{e}, k_bias 1x{kv_dim}, v_bias 1x{kv_dim}, "
        f"out_bias 1x{e}",
        f"  call: multi_head_attention(query L x {e}, key S x {kdim}, value S x {vdim}, params) for one batch "
        f"(batch_first only changes PyTorch's layout: (L, N, E) when False, (N, L, E) when True)",
    ]
    if kv_heads != heads:
        comment.append(f"  grouped-query: the key/value projections repeat each of {kv_heads} head blocks "
                       f"{group} times (checked bit for bit): NumKvHeads = {kv_heads}")
    name = identifier(att.path, "mha")
    if zero_attn:
        comment.append(f"  add_zero_attn: pass {name}_zero_attn (cxattn::sink, logit 0) to every call: the zero key "
                       f"scores 0 and its zero value adds nothing; PyTorch's weights have one more column "
                       f"(the zero key's), which cxattn leaves out")
    return name, args, members, ctype, comment, zero_attn


def repeated_kv_heads(att, heads, head_dim, k_w, v_w, k_b, v_b, spec):
    """The number of key/value heads whose blocks, each repeated heads / n times, are k_proj and v_proj."""
    def repeats(n):
        if n <= 0 or heads % n != 0:
            return False
        group = heads // n
        for h in range(heads):
            base = h // group * group
            for t in (k_w, v_w, k_b, v_b):
                if t is None:
                    continue
                a = t[h * head_dim:(h + 1) * head_dim]
                b = t[base * head_dim:(base + 1) * head_dim]
                if bits(a) != bits(b):
                    return False
        return True

    if spec == "auto":
        return min(n for n in range(1, heads + 1) if repeats(n))
    try:
        n = int(spec)
    except ValueError:
        raise ExportError(f"--kv-heads: '{spec}' is neither a number nor 'auto'")
    if n <= 0 or heads % n != 0:
        raise ExportError(f"{display(att.path)}: --kv-heads {n} does not divide num_heads {heads}")
    if not repeats(n):
        raise ExportError(f"{display(att.path)}: --kv-heads {n}: the key/value projections do not repeat "
                          f"each head block {heads // n} times")
    return n


def bits(tensor):
    """The values' exact bits, comparable (-0 differs from 0)."""
    return [float.hex(v) for v in flat_values(tensor)]


# Plain matrices (--matrix)

def matrix_objects_of_module(torch, root, path, eps_override):
    modules = dict(root.named_modules())
    if path not in modules:
        raise ExportError(f"--matrix {path}: no such module")
    m = modules[path]
    name = identifier(path, "root")
    if isinstance(m, torch.nn.Linear):
        kind = f"nn.Linear(in_features={m.in_features}, out_features={m.out_features}, bias={m.bias is not None})"
        return matrices(path, name, kind, m.weight, m.bias, None)
    if isinstance(m, torch.nn.Embedding):
        kind = (f"nn.Embedding(num_embeddings={m.num_embeddings}, embedding_dim={m.embedding_dim}, "
                f"padding_idx={m.padding_idx}, max_norm={m.max_norm})")
        return matrices(path, name, kind, m.weight, None, None, bias_absent="nn.Embedding has none")
    if isinstance(m, torch.nn.LayerNorm):
        if len(m.normalized_shape) != 1:
            raise ExportError(f"--matrix {path}: nn.LayerNorm over {tuple(m.normalized_shape)}; "
                              f"one dimension is supported")
        eps = float(eps_override) if eps_override is not None else m.eps
        kind = (f"nn.LayerNorm({m.normalized_shape[0]}, eps={m.eps}, "
                f"elementwise_affine={m.elementwise_affine})")
        return matrices(path, name, kind, m.weight, m.bias, eps, layer_norm_dim=m.normalized_shape[0])
    raise ExportError(f"--matrix {path}: a {type(m).__name__}; nn.Linear, nn.Embedding and nn.LayerNorm are supported")


def matrix_objects_of_state_dict(state_dict, path, eps_override):
    prefix = path + "." if path else ""
    direct = {k[len(prefix):]: v for k, v in state_dict.items() if k.startswith(prefix) and "." not in k[len(prefix):]}
    if not direct:
        raise ExportError(f"--matrix {path}: no such module (no key '{prefix}weight')")
    other = sorted(set(direct) - {"weight", "bias"})
    if other:
        raise ExportError(f"--matrix {path}: has '{prefix}{other[0]}': not an nn.Linear, nn.Embedding or nn.LayerNorm")
    if "weight" not in direct:
        raise ExportError(f"--matrix {path}: missing key '{prefix}weight'")
    w, b = direct["weight"], direct.get("bias")
    name = identifier(path, "root")
    if w.dim() == 2:
        if b is not None and tuple(b.shape) != (w.shape[0],):
            raise ExportError(f"--matrix {path}: bias is {shape_of(b)}, expected {w.shape[0]} "
                              f"(weight is {shape_of(w)})")
        kind = ("a 2-D weight and a bias: nn.Linear" if b is not None else
                "a 2-D weight and no bias: nn.Linear(bias=False) or nn.Embedding (the same matrix)")
        return matrices(path, name, kind, w, b, None)
    if w.dim() == 1:
        if b is not None and tuple(b.shape) != tuple(w.shape):
            raise ExportError(f"--matrix {path}: bias is {shape_of(b)}, expected {w.shape[0]} "
                              f"(weight is {shape_of(w)})")
        eps = float(eps_override) if eps_override is not None else 1e-5
        kind = ("a 1-D weight: nn.LayerNorm, eps " +
                ("from --eps" if eps_override is not None else "not recorded in a state_dict: PyTorch's default 1e-5"))
        return matrices(path, name, kind, w, b, eps, layer_norm_dim=w.shape[0])
    raise ExportError(f"--matrix {path}: weight is {shape_of(w)}; a 2-D (nn.Linear, nn.Embedding) or 1-D "
                      f"(nn.LayerNorm) weight expected")


def matrices(path, name, kind, weight, bias, eps, layer_norm_dim=None, bias_absent=None):
    """[(declaration type, name, rows, cols, values, ctype)], comment lines."""
    tensors = [x for x in (weight, bias) if x is not None]
    dtypes = {str(x.dtype).replace("torch.", "") for x in tensors}
    if len(dtypes) > 1:
        raise ExportError(f"--matrix {path}: tensors of several dtypes ({', '.join(sorted(dtypes))})")
    dtype = dtypes.pop() if dtypes else "float32"
    if dtype not in ("float32", "float64", "float16", "bfloat16"):
        raise ExportError(f"--matrix {path}: tensors of dtype {dtype}; float32, float64, float16 or bfloat16 expected")
    ctype = c_type(dtype)
    objects, comment = [], [f"module '{path}': {kind}, {dtype}"]
    if weight is not None:
        if weight.dim() == 2:
            rows, cols = weight.shape
        else:
            rows, cols = 1, weight.shape[0]
        objects.append(("matrix", f"{name}_weight", rows, cols, flat_values(weight), ctype))
        layout = " (out x in, as PyTorch)" if bias_absent is None else " (num_embeddings x embedding_dim)"
        comment.append(f"  {name}_weight {rows}x{cols}" + (layout if weight.dim() == 2 else ""))
    else:
        comment.append(f"  {name}_weight: none (elementwise_affine=False), not written")
    if bias is not None:
        objects.append(("matrix", f"{name}_bias", 1, bias.shape[0], flat_values(bias), ctype))
        comment.append(f"  {name}_bias 1x{bias.shape[0]}")
    else:
        comment.append(f"  {name}_bias: none ({bias_absent or 'no bias in the checkpoint'}), not written")
    if eps is not None:
        objects.append(("scalar", f"{name}_eps", 1, 1, [float(eps)], ctype))
        comment.append(f"  {name}_eps {eps!r}")
    return objects, comment


# The header

def header_text(args, sha256, torch_version, kind, notes, mhas, mats, namespace):
    file_name = "params.hpp" if args.output == "-" else os.path.basename(args.output)
    guard = "CXATTN_EXPORT_" + re.sub(r"[^0-9A-Za-z]", "_", namespace + "_" + file_name).upper()
    uses_limits = False
    body = []
    for name, targs, members, ctype, _, zero_attn in mhas:
        head = f"inline constexpr cxattn::mha_params<{', '.join(str(a) for a in targs)}> {name}{{\n"
        items = []
        for member, (rows, cols, values) in members.items():
            lead = f"    /* {member} ({rows} x {cols}) */ "
            uses_limits |= any(v != v or v in (float("inf"), float("-inf")) for v in values)
            items.append(lead + values_text(values, ctype, cols, len(lead)))
        body.append(head + ",\n".join(items) + "};")
        if zero_attn:
            body.append(f"inline constexpr cxattn::sink<{ctype}> {name}_zero_attn{{{literal(0.0, ctype)}}};")
    for objects, _ in mats:
        for what, name, rows, cols, values, ctype in objects:
            uses_limits |= any(v != v or v in (float("inf"), float("-inf")) for v in values)
            if what == "scalar":  # eps: a double in PyTorch, here rounded to the element type
                value = struct.unpack("f", struct.pack("f", values[0]))[0] if ctype == "float" else values[0]
                body.append(f"inline constexpr {ctype} {name} = {literal(value, ctype)};")
            else:
                lead = f"inline constexpr cxattn::matrix<{ctype}, {rows}, {cols}> {name}"
                body.append(lead + values_text(values, ctype, cols, len(lead)) + ";")
    command = " ".join(shlex.quote(a) for a in ["tools/cxattn_export.py"] + sys.argv[1:])
    lines = []
    if args.spdx:
        lines.append(f"// SPDX-License-Identifier: {args.spdx}")
    lines += [
        "// clang-format off",
        "// Generated by cxattn's tools/cxattn_export.py; do not edit. The command:",
        f"//   {command}",
        f"// Source: {os.path.basename(args.checkpoint)}, sha256 {sha256}, a {kind}"
        f" (PyTorch {torch_version}).",
    ]
    described = [f"{n}." for n in notes] + ["Every value is a hexadecimal floating literal: the checkpoint's bits."]
    for *_, comment, _ in mhas:
        described += comment
    for _, comment in mats:
        described += comment
    for c in described:  # wrapped at 110 columns, continuation lines indented by 4 more
        indent = " " * (len(c) - len(c.lstrip()) + 4)
        lines += ["// " + w for w in textwrap.wrap(c, 110, subsequent_indent=indent, break_on_hyphens=False,
                                                   break_long_words=False)]
    lines += [f"#ifndef {guard}", f"#define {guard}", ""]
    if uses_limits:
        lines.append("#include <limits>")
        lines.append("")
    lines += ["#include <cxattn/matrix.hpp>", "#include <cxattn/multi_head.hpp>", "", f"namespace {namespace} {{", ""]
    lines += ["\n\n".join(body), "", f"}} // namespace {namespace}", "", f"#endif // {guard}", "// clang-format on", ""]
    return "\n".join(lines)


def parse_args(argv):
    p = argparse.ArgumentParser(prog=PROG, description="Export the nn.MultiheadAttention modules of a PyTorch "
                                "checkpoint as a C++ header of cxattn::mha_params (docs/exporter.md).")
    p.add_argument("checkpoint", help="a state_dict or a whole module saved with torch.save")
    p.add_argument("-o", "--output", required=True, help="the header to write")
    p.add_argument("--module", help="export only this nn.MultiheadAttention (its path, e.g. encoder.attn)")
    p.add_argument("--namespace", default="model", help="the C++ namespace of the objects (default: model)")
    p.add_argument("--matrix", action="append", default=[], metavar="MODULE",
                   help="also write this nn.Linear, nn.Embedding or nn.LayerNorm as matrices (repeatable)")
    p.add_argument("--num-heads", action="append", metavar="[MODULE=]N",
                   help="num_heads, which a state_dict does not record (repeatable, per module)")
    p.add_argument("--kv-heads", action="append", metavar="[MODULE=]N|auto",
                   help="export with N key/value heads, checking that the key/value projections repeat "
                        "each head block num_heads/N times (auto: the fewest that do)")
    p.add_argument("--zero-attn-sink", action="store_true",
                   help="export an add_zero_attn=True module with NAME_zero_attn, the cxattn::sink of logit 0 "
                        "that every call must pass (for a state_dict, which does not record add_zero_attn: "
                        "every exported module had add_zero_attn=True)")
    p.add_argument("--eps", action="append", metavar="[MODULE=]VALUE",
                   help="a LayerNorm's eps for --matrix of a state_dict (default 1e-5)")
    p.add_argument("--spdx", metavar="LICENSE", help="start the header with this SPDX-License-Identifier line")
    p.add_argument("--weights-only", action="store_true",
                   help="refuse checkpoints that need full unpickling (a whole module): it runs the pickle's code")
    p.error = fail  # a usage error is one line and status 2 too
    return p.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    if not re.fullmatch(r"[A-Za-z_][0-9A-Za-z_]*(::[A-Za-z_][0-9A-Za-z_]*)*", args.namespace):
        raise ExportError(f"--namespace '{args.namespace}' is not a C++ namespace name")
    torch = import_torch()
    obj, kind, notes = load_checkpoint(torch, args.checkpoint, args.weights_only)
    with open(args.checkpoint, "rb") as f:
        sha256 = hashlib.sha256(f.read()).hexdigest()

    heads_per_module, heads_default = parse_per_module(args.num_heads)
    kv_per_module, kv_default = parse_per_module(args.kv_heads)
    eps_per_module, eps_default = parse_per_module(args.eps)

    def num_heads_for(path):
        value = heads_per_module.get(path, heads_default)
        if value is None:
            return None
        try:
            return int(value)
        except ValueError:
            raise ExportError(f"--num-heads: '{value}' is not a number")

    if kind == "module":
        atts = attentions_of_module(torch, obj)
        for att in atts:
            given = num_heads_for(att.path)
            if given is not None and given != att.num_heads:
                raise ExportError(f"{display(att.path)}: --num-heads {given}, but the module has "
                                  f"num_heads={att.num_heads}")
    else:
        atts = attentions_of_state_dict(obj, num_heads_for)
    if args.module is not None:
        atts = [a for a in atts if a.path == args.module]
        if not atts:
            raise ExportError(f"--module {args.module}: no nn.MultiheadAttention of that name in {args.checkpoint}")
    if not atts and not args.matrix:
        raise ExportError(f"{args.checkpoint}: no nn.MultiheadAttention found "
                          f"(no key ending in in_proj_weight or q_proj_weight)" if kind == "state_dict" else
                          f"{args.checkpoint}: no nn.MultiheadAttention found in the module")
    mhas = [mha_object(a, kv_per_module.get(a.path, kv_default), args.zero_attn_sink) for a in atts]
    mats = []
    for path in args.matrix:
        eps = eps_per_module.get(path, eps_default)
        if eps is not None:
            try:
                float(eps)
            except ValueError:
                raise ExportError(f"--eps: '{eps}' is not a number")
        if kind == "module":
            mats.append(matrix_objects_of_module(torch, obj, path, eps))
        else:
            mats.append(matrix_objects_of_state_dict(obj, path, eps))
    names = [m[0] for m in mhas] + [m[0] + "_zero_attn" for m in mhas if m[5]]
    names += [o[1] for objects, _ in mats for o in objects]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ExportError(f"two objects would be named '{duplicates[0]}'")
    namespace = args.namespace
    text = header_text(args, sha256, torch.__version__, kind, notes, mhas, mats, namespace)
    if args.output == "-":
        sys.stdout.write(text)
        return
    directory = os.path.dirname(os.path.abspath(args.output))
    if not os.path.isdir(directory):
        raise ExportError(f"-o {args.output}: the directory {directory} does not exist")
    temporary = args.output + ".tmp"
    try:
        with open(temporary, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(temporary, args.output)
    except OSError as e:
        raise ExportError(f"-o {args.output}: {e.strerror}")


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except ExportError as e:
        fail(e)
    except KeyboardInterrupt:
        fail("interrupted")
    except Exception as e:  # a checkpoint malformed in a way not foreseen: still one line, status 2
        fail(f"{type(e).__name__}: {first_line(e)}")
