#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The command line of tools/cxattn_export.py: malformed inputs and the form of the header.

    check_cli.py EXPORTER

Runs EXPORTER (with this interpreter, which has torch) on malformed checkpoints and unsupported
options: each must exit with status 2, print exactly one line on stderr starting with
`cxattn_export: error:` and write no header. Then exports good checkpoints (a whole module of a
class this script defines, its state_dict, --matrix) and checks the declarations' form, the
comment (command, SHA-256, options) and that every literal holds the tensor's exact bits.
"""
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile

import torch

EXPORTER = os.path.abspath(sys.argv[1])
failures = []


def run(args, python=sys.executable, env=None):
    return subprocess.run([python, EXPORTER] + args, capture_output=True, text=True, env=env)


def expect_error(what, args, contains, python=sys.executable, env=None, output=None):
    done = run(args, python, env)
    lines = done.stderr.splitlines()
    problems = []
    if done.returncode != 2:
        problems.append(f"exit status {done.returncode}, not 2")
    if len(lines) != 1 or not lines[0].startswith("cxattn_export: error: "):
        problems.append(f"stderr is not one line 'cxattn_export: error: ...': {done.stderr!r}")
    elif contains.lower() not in lines[0].lower():
        problems.append(f"the message does not say '{contains}': {lines[0]!r}")
    if output and os.path.exists(output):
        problems.append(f"{output} was written")
    if problems:
        failures.append(f"{what}: " + "; ".join(problems))
    print(f"{'FAIL' if problems else 'ok  '} {what}: {lines[0] if lines else done.stderr!r}")


def check(what, condition, detail=""):
    if not condition:
        failures.append(f"{what} {detail}")
    print(f"{'ok  ' if condition else 'FAIL'} {what}")


class Net(torch.nn.Module):
    """A model class of this script: torch.save pickles it by name, and the exporter cannot import it."""

    def __init__(self, **mha):
        super().__init__()
        self.embed = torch.nn.Embedding(5, 8)
        self.encoder = torch.nn.Module()
        self.encoder.attn = torch.nn.MultiheadAttention(8, 2, **mha)
        self.norm = torch.nn.LayerNorm(8, eps=1e-6)
        self.head = torch.nn.Linear(8, 3)
        self.skip = torch.nn.Linear(8, 3, bias=False)


def main():
    torch.manual_seed(0)
    tmp = tempfile.mkdtemp(prefix="cxattn-export-")
    try:
        out = os.path.join(tmp, "out.hpp")
        path = lambda name: os.path.join(tmp, name)  # noqa: E731
        net = Net(batch_first=True).eval()
        torch.save(net, path("net.pt"))
        torch.save(net.state_dict(), path("net_sd.pt"))

        # Malformed inputs and unsupported options.
        with open(path("text.pt"), "w") as f:
            f.write("not a checkpoint\n")
        expect_error("a text file", [path("text.pt"), "-o", out], "not a PyTorch checkpoint", output=out)
        expect_error("a missing file", [path("missing.pt"), "-o", out], "no such file", output=out)
        expect_error("a directory", [tmp, "-o", out], "not a file", output=out)
        sd = net.state_dict()
        del sd["encoder.attn.out_proj.weight"]
        torch.save(sd, path("missing_key.pt"))
        expect_error("a state_dict with a missing key", [path("missing_key.pt"), "-o", out, "--num-heads", "2"],
                     "missing key 'encoder.attn.out_proj.weight'", output=out)
        sd = net.state_dict()
        del sd["encoder.attn.in_proj_bias"]
        torch.save(sd, path("missing_bias.pt"))
        expect_error("a state_dict with out_proj.bias but no in_proj_bias",
                     [path("missing_bias.pt"), "-o", out, "--num-heads", "2"], "missing key", output=out)
        sd = net.state_dict()
        sd["encoder.attn.in_proj_weight"] = sd["encoder.attn.in_proj_weight"][:20]
        torch.save(sd, path("wrong_shape.pt"))
        expect_error("a state_dict with a wrong shape", [path("wrong_shape.pt"), "-o", out, "--num-heads", "2"],
                     "in_proj_weight is 20x8, expected 24x8", output=out)
        torch.save(torch.nn.MultiheadAttention(8, 2, add_bias_kv=True), path("bias_kv.pt"))
        expect_error("a module with add_bias_kv", [path("bias_kv.pt"), "-o", out], "add_bias_kv", output=out)
        torch.save(torch.nn.MultiheadAttention(8, 2, add_bias_kv=True).state_dict(), path("bias_kv_sd.pt"))
        expect_error("a state_dict with add_bias_kv (bias_k, bias_v)",
                     [path("bias_kv_sd.pt"), "-o", out, "--num-heads", "2"], "add_bias_kv", output=out)
        torch.save(torch.nn.MultiheadAttention(8, 2, add_zero_attn=True), path("zero_attn.pt"))
        expect_error("a module with add_zero_attn, without --zero-attn-sink", [path("zero_attn.pt"), "-o", out],
                     "add_zero_attn=True appends a zero key", output=out)
        torch.save(torch.nn.Linear(3, 4), path("linear.pt"))
        expect_error("no MultiheadAttention", [path("linear.pt"), "-o", out], "no nn.MultiheadAttention", output=out)
        torch.save(torch.nn.Linear(3, 4).state_dict(), path("linear_sd.pt"))
        expect_error("no MultiheadAttention in a state_dict", [path("linear_sd.pt"), "-o", out],
                     "no nn.MultiheadAttention", output=out)
        expect_error("--module not found", [path("net.pt"), "-o", out, "--module", "decoder.attn"],
                     "--module decoder.attn", output=out)
        expect_error("a state_dict without --num-heads", [path("net_sd.pt"), "-o", out], "--num-heads", output=out)
        expect_error("--num-heads not dividing embed_dim", [path("net_sd.pt"), "-o", out, "--num-heads", "3"],
                     "not a multiple of num_heads 3", output=out)
        expect_error("--kv-heads on projections that do not repeat", [path("net.pt"), "-o", out, "--kv-heads", "1"],
                     "do not repeat", output=out)
        torch.save([1, 2, 3], path("list.pt"))
        expect_error("a checkpoint holding a list", [path("list.pt"), "-o", out], "neither a state_dict", output=out)
        torch.save({"a": 1}, path("dict.pt"))
        expect_error("a dict that is not a state_dict", [path("dict.pt"), "-o", out], "not a state_dict", output=out)
        expect_error("--matrix of a MultiheadAttention", [path("net.pt"), "-o", out, "--matrix", "encoder.attn"],
                     "nn.Linear, nn.Embedding and nn.LayerNorm are supported", output=out)
        expect_error("--matrix of a missing module", [path("net_sd.pt"), "-o", out, "--num-heads", "2",
                                                      "--matrix", "tail"], "--matrix tail", output=out)
        expect_error("--weights-only with a whole module", [path("net.pt"), "-o", out, "--weights-only"],
                     "weights_only", output=out)
        expect_error("an output directory that does not exist", [path("net.pt"), "-o", path("no/such/dir.hpp")],
                     "does not exist")
        expect_error("a usage error", [path("net.pt")], "-o")

        # Without torch: a stand-in torch module that fails to import, and the mark that the script
        # was already re-executed (so it does not try /usr/bin/python3).
        fake = os.path.join(tmp, "fake")
        os.mkdir(fake)
        with open(os.path.join(fake, "torch.py"), "w") as f:
            f.write("raise ImportError('No module named torch (stand-in)')\n")
        env = dict(os.environ, PYTHONPATH=fake, CXATTN_EXPORT_FIRST_INTERPRETER="/some/python3")
        expect_error("torch not importable", [path("net.pt"), "-o", out], "python3-torch", env=env, output=out)
        # Started by an interpreter without torch (say a version manager's python3), the script runs
        # itself again with /usr/bin/python3 when that one has torch.
        other = [p for p in (shutil.which("python3"), shutil.which("python3.11"), shutil.which("python"))
                 if p and subprocess.run([p, "-c", "import torch"], capture_output=True).returncode != 0]
        if other and os.path.realpath(sys.executable) == os.path.realpath("/usr/bin/python3"):
            done = run([path("net.pt"), "-o", out], python=other[0])
            check(f"started by {other[0]} (no torch): re-executed with /usr/bin/python3",
                  done.returncode == 0 and os.path.exists(out), done.stderr)
            os.remove(out)
        else:
            print("skip the re-execution check: no python3 without torch here, or this is not /usr/bin/python3")

        # The header's form.
        done = run([path("net.pt"), "-o", out, "--matrix", "head", "--matrix", "skip", "--matrix", "embed",
                    "--matrix", "norm"])
        check("a whole module of a class the exporter cannot import", done.returncode == 0 and not done.stderr,
              done.stderr)
        text = open(out).read()
        sha = hashlib.sha256(open(path("net.pt"), "rb").read()).hexdigest()
        check("the declaration's form",
              re.search(r"^namespace model \{\n\ninline constexpr cxattn::mha_params<float, 8, 2> encoder_attn\{$",
                        text, re.M) is not None)
        check("the include guard and includes", re.search(r"#ifndef (\w+)\n#define \1\n", text) is not None and
              "#include <cxattn/multi_head.hpp>" in text and "#include <cxattn/matrix.hpp>" in text)
        check("the comment records the command", "--matrix head --matrix skip" in text)
        check("the comment records the SHA-256", sha in text)
        check("the comment records batch_first", "batch_first=True" in text)
        check("Linear: out x in and 1 x out", "cxattn::matrix<float, 3, 8> head_weight{" in text and
              "cxattn::matrix<float, 1, 3> head_bias{" in text)
        check("Linear without bias: no NAME_bias, a comment", "skip_bias" in text and
              "cxattn::matrix<float, 1, 3> skip_bias" not in text)
        check("Embedding: num_embeddings x dim", "cxattn::matrix<float, 5, 8> embed_weight{" in text)
        eps = re.sub(r"\.?0*p", "p", float.hex(torch.tensor(1e-6, dtype=torch.float32).item())) + "f"
        check("LayerNorm: 1 x dim and eps", "cxattn::matrix<float, 1, 8> norm_weight{" in text and
              "cxattn::matrix<float, 1, 8> norm_bias{" in text and f"inline constexpr float norm_eps = {eps};" in text)
        sd = net.state_dict()
        for name, tensor in [("head_weight", sd["head.weight"]), ("head_bias", sd["head.bias"]),
                             ("embed_weight", sd["embed.weight"])]:
            body = re.search(name + r"\{([^}]*)\}", text).group(1)
            got = [float.fromhex(v.strip().rstrip("f")) for v in body.split(",")]
            check(f"{name} holds the tensor's bits", got == [float(v) for v in tensor.reshape(-1).tolist()])
        members = re.search(r"encoder_attn\{(.*?)\};", text, re.S).group(1)
        literals = [float.fromhex(v.rstrip("f")) for v in re.findall(r"-?0x[0-9a-f.]+p[+-]\d+f", members)]
        w, b = sd["encoder.attn.in_proj_weight"], sd["encoder.attn.in_proj_bias"]
        want = (w.reshape(-1).tolist() + sd["encoder.attn.out_proj.weight"].reshape(-1).tolist() +
                b.tolist() + sd["encoder.attn.out_proj.bias"].tolist())
        check("mha_params holds in_proj_weight, out_proj.weight, in_proj_bias, out_proj.bias in order, exactly",
              literals == want)

        done = run([path("net_sd.pt"), "-o", path("sd.hpp"), "--num-heads", "2", "--namespace", "a::b",
                    "--matrix", "head", "--matrix", "skip", "--matrix", "embed", "--eps", "norm=1e-6",
                    "--matrix", "norm"])
        check("the state_dict exports", done.returncode == 0 and not done.stderr, done.stderr)
        sd_text = open(path("sd.hpp")).read()

        def objects(header, namespace):
            return header[header.index(f"namespace {namespace} {{"):header.index(f"}} // namespace {namespace}")]

        check("the state_dict gives the module's objects, bit for bit",
              objects(sd_text, "a::b").replace("a::b", "model") == objects(text, "model"))
        check("the state_dict comment says what it does not record", "not recorded in a state_dict" in sd_text)

        double = torch.nn.MultiheadAttention(6, 3, kdim=4, vdim=2, bias=False).double()
        torch.save(double, path("double.pt"))
        done = run([path("double.pt"), "-o", out, "--namespace", "d"])
        text = open(out).read() if done.returncode == 0 else ""
        check("float64: double, the trailing template arguments, no f suffix",
              "inline constexpr cxattn::mha_params<double, 6, 3, 4, 2> mha{" in text and
              not re.search(r"0x[0-9a-f.]+p[+-]\d+f", text), done.stderr)
        check("bias=False: zero biases, said in the comment", "bias=False: the biases are zeros" in text)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print(f"\n{len(failures)} failures:\n  " + "\n  ".join(failures))
        sys.exit(1)


if __name__ == "__main__":
    main()
