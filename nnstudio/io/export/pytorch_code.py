"""PyTorch export: one self-contained training script, its weights and its data.

The script imports only torch and numpy. It holds an ``nn.Module`` whose
attributes are the nodes (named after them) and whose ``forward`` follows the
graph, and a ``main()`` that trains it as the project is set up - loss,
optimizer and options, learning-rate schedule, batch size, L1/L2, gradient
clipping, epochs, seed, early stopping - with nnstudio's semantics (e.g. L1 is
added to the gradient after clipping, as the engine does). It runs alone or
under ``torchrun --nproc_per_node=N`` with DistributedDataParallel.

Each node kind has one :class:`Emitter` in :data:`EMITTERS` (registry data, as
the kinds themselves): the module it builds in ``__init__`` (if any) and the
expression it computes in ``forward``.
"""
from __future__ import annotations

import json
import pprint
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np

from nnstudio.io.atomic import atomic_write_bytes
from nnstudio.io.export.network import DATA_KEYS, ExportNetwork, ExportNode
from nnstudio.io.export.npz_weights import npz_bytes, state_dict
from nnstudio.io.export.recurrent_export import torch_helper, torch_module

# --- per-kind code ----------------------------------------------------------------------------------

TORCH_ACTIVATIONS = {
    "linear": "nn.Identity()", "relu": "nn.ReLU()", "leaky_relu": "nn.LeakyReLU(0.01)", "elu": "nn.ELU(1.0)",
    "gelu": "nn.GELU()", "sigmoid": "nn.Sigmoid()", "tanh": "nn.Tanh()", "softplus": "nn.Softplus()",
    "swish": "nn.SiLU()",
}


def _activation_module(function: str, shape: tuple[int, ...]) -> str:
    if function == "softmax":
        # nnstudio's softmax runs over all of a sample's values
        return "nn.Softmax(dim=1)" if len(shape) == 1 else "SampleSoftmax()"
    return TORCH_ACTIVATIONS[function]


def _joined(args: list[str]) -> str:
    """Several flat wires side by side (Dense, Neuron and Output inputs)."""
    return args[0] if len(args) == 1 else f"torch.cat([{', '.join(args)}], dim=1)"


def _bias(node: ExportNode) -> str:
    return "" if node.params.get("bias", True) else ", bias=False"


@dataclass(frozen=True)
class Emitter:
    """How one node kind appears in the generated module.

    ``module(node)`` is the expression assigned to ``self.<ident>`` in ``__init__`` (None: no
    submodule); ``forward(node, args)`` is the expression computing the node's output from its
    input variables. ``helpers`` names helper classes the code uses.
    """

    module: Callable[[ExportNode], str | None]
    forward: Callable[[ExportNode, list[str]], str]
    helpers: Callable[[ExportNode], tuple[str, ...]] = lambda node: ()


def _call(node: ExportNode, args: list[str]) -> str:
    return f"self.{node.ident}({args[0]})"


EMITTERS: dict[str, Emitter] = {
    "Input": Emitter(lambda n: None, lambda n, a: f"x.reshape(x.shape[0], {', '.join(map(str, n.shape))})"),
    "Neuron": Emitter(
        lambda n: f"Neuron({sum(s[0] for s in n.in_shapes)}, {_activation_module(n.params['activation'], (1,))})",
        lambda n, a: f"self.{n.ident}({_joined(a)})", lambda n: ("Neuron",)),
    "Dense": Emitter(  # on a sequence (positions x features) nn.Linear works per position, as nnstudio's
        lambda n: f"nn.Linear({n.in_shapes[0][-1] if len(n.shape) == 2 else sum(s[0] for s in n.in_shapes)}, "
                  f"{n.params['units']}{_bias(n)})",
        lambda n, a: f"self.{n.ident}({_joined(a)})"),
    "Activation": Emitter(lambda n: _activation_module(n.params["function"], n.shape), _call,
                          lambda n: ("SampleSoftmax",) if n.params["function"] == "softmax" and len(n.shape) > 1
                          else ()),
    "Dropout": Emitter(lambda n: f"nn.Dropout(p={n.params['p']!r})", _call),
    "BatchNorm": Emitter(
        lambda n: f"nn.BatchNorm{1 if len(n.shape) == 1 else 2}d({n.shape[0]}, eps={n.params['eps']!r}, "
                  f"momentum={n.params['momentum']!r})", _call),
    "LayerNorm": Emitter(lambda n: f"nn.LayerNorm({list(n.shape[-1:] if n.params.get('over') == 'last' else n.shape)!r}, "
                                   f"eps={n.params['eps']!r})", _call),
    "Add": Emitter(lambda n: None, lambda n, a: " + ".join(a)),
    "Concat": Emitter(lambda n: None, lambda n, a: f"torch.cat([{', '.join(a)}], dim=1)"),
    "Flatten": Emitter(lambda n: "nn.Flatten()", _call),
    "Reshape": Emitter(lambda n: None,
                       lambda n, a: f"{a[0]}.reshape({a[0]}.shape[0], {', '.join(map(str, n.shape))})"),
    "Conv2D": Emitter(
        lambda n: f"nn.Conv2d({n.in_shapes[0][0]}, {n.params['out_channels']}, kernel_size={n.params['kernel_size']}, "
                  f"stride={n.params['stride']}, padding={n.params['padding']}{_bias(n)})", _call),
    "MaxPool2D": Emitter(
        lambda n: f"nn.MaxPool2d({n.params['kernel_size']}, stride={n.params['stride'] or n.params['kernel_size']})",
        _call),
    "AvgPool2D": Emitter(
        lambda n: f"nn.AvgPool2d({n.params['kernel_size']}, stride={n.params['stride'] or n.params['kernel_size']})",
        _call),
    "Embedding": Emitter(
        lambda n: f"nn.Embedding({n.params['num_embeddings']}, {n.params['embedding_dim']})",
        lambda n, a: f"self.{n.ident}({a[0]}.long())"),  # tokens arrive as floats, as in nnstudio
    "MultiheadAttention": Emitter(
        lambda n: f"SelfAttention({n.shape[1]}, {n.params['num_heads']}, causal={bool(n.params['causal'])}"
                  f"{_bias(n)})", _call, lambda n: ("SelfAttention",)),
    "PositionalEmbedding": Emitter(
        lambda n: f"PositionalEmbedding({n.params['max_len']}, {n.shape[1]}, "
                  f"learned={n.params.get('mode') != 'sinusoidal'})", _call, lambda n: ("PositionalEmbedding",)),
    # one class per position: (N, positions x classes) flat, as nnstudio's outputs
    "Output": Emitter(lambda n: None, lambda n, a: f"{a[0]}.flatten(1)" if len(n.shape) == 2 else _joined(a)),
}
EMITTERS.update({kind: Emitter(torch_module, _call, lambda n: (f"Sequence{n.kind}",))
                 for kind in ("RNN", "LSTM", "GRU")})

HELPERS = {
    **{f"Sequence{kind}": torch_helper(kind) for kind in ("RNN", "LSTM", "GRU")},
    "SelfAttention": '''
class SelfAttention(nn.Module):
    """nn.MultiheadAttention(batch_first=True) on (x, x, x), with nnstudio's tensor names."""

    def __init__(self, embed_dim, num_heads, causal=False, bias=True):
        super().__init__()
        self.num_heads, self.causal = num_heads, causal
        self.in_proj_weight = nn.Parameter(torch.empty(3 * embed_dim, embed_dim))
        self.in_proj_bias = nn.Parameter(torch.zeros(3 * embed_dim)) if bias else None
        self.out_proj_weight = nn.Parameter(torch.empty(embed_dim, embed_dim))
        self.out_proj_bias = nn.Parameter(torch.zeros(embed_dim)) if bias else None
        nn.init.xavier_uniform_(self.in_proj_weight)
        nn.init.xavier_uniform_(self.out_proj_weight)

    def forward(self, x):
        n, length, e = x.shape
        h = self.num_heads
        q, k, v = F.linear(x, self.in_proj_weight, self.in_proj_bias).chunk(3, dim=-1)
        q, k, v = (t.reshape(n, length, h, e // h).transpose(1, 2) for t in (q, k, v))
        scores = q @ k.transpose(-2, -1) / math.sqrt(e // h)
        if self.causal:  # position t sees positions 0..t
            ahead = torch.ones(length, length, dtype=torch.bool, device=x.device).triu(1)
            scores = scores.masked_fill(ahead, float("-inf"))
        ctx = torch.softmax(scores, dim=-1) @ v
        return F.linear(ctx.transpose(1, 2).reshape(n, length, e), self.out_proj_weight, self.out_proj_bias)
''',
    "PositionalEmbedding": '''
class PositionalEmbedding(nn.Module):
    """Adds a vector per position: learned (weight) or nnstudio's fixed sinusoidal table (a buffer)."""

    def __init__(self, max_len, dim, learned=True):
        super().__init__()
        if learned:
            self.weight = nn.Parameter(torch.zeros(max_len, dim))
        else:
            self.register_buffer("table", torch.zeros(max_len, dim))  # loaded from the weights file

    def forward(self, x):
        table = self.weight if hasattr(self, "weight") else self.table
        return x + table[: x.shape[1]]
''',
    "Neuron": '''
class Neuron(nn.Linear):
    """One neuron: a weighted sum of its inputs plus a bias, through an activation."""

    def __init__(self, in_features, activation):
        super().__init__(in_features, 1)
        self.activation = activation

    def forward(self, x):
        return self.activation(super().forward(x))
''',
    "SampleSoftmax": '''
class SampleSoftmax(nn.Module):
    """Softmax over all values of each sample (nnstudio's softmax on a multi-axis tensor)."""

    def forward(self, x):
        return torch.softmax(x.flatten(1), dim=1).reshape(x.shape)
''',
}


# --- the module ------------------------------------------------------------------------------------

def module_code(net: ExportNetwork, class_name: str = "Net") -> tuple[str, set[str]]:
    """The ``nn.Module`` class source and the helper classes it needs."""
    init: list[str] = []
    fwd: list[str] = []
    helpers: set[str] = set()
    for node in net.nodes:
        e = EMITTERS[node.kind]
        helpers.update(e.helpers(node))
        module = e.module(node)
        if module is not None:
            init.append(f"        self.{node.ident} = {module}  # {node.name}")
            if node.frozen and node.tensors:
                init.append(f"        self.{node.ident}.requires_grad_(False)  # frozen: training leaves it alone")
        args = [net.by_id[src].ident for src in node.inputs]
        fwd.append(f"        {node.ident} = {e.forward(node, args)}")
    fwd.append(f"        return {net.output.ident}")
    names = {n.ident: n.name for n in net.nodes if n.tensors}
    lines = [
        f"class {class_name}(nn.Module):",
        '    """The network as drawn in nnstudio: one attribute per node, named after it."""',
        "",
        "    # attribute -> node name in nnstudio (the weights file is keyed \"<node name>.<tensor>\")",
        "    NODE_NAMES = {",
        *(f"        {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}," for k, v in names.items()),
        "    }",
        "",
        "    def __init__(self):",
        "        super().__init__()",
        *(init or ["        pass"]),
        "",
        "    def forward(self, x):",
        *fwd,
    ]
    return "\n".join(lines) + "\n", helpers


# --- the script ------------------------------------------------------------------------------------

_HEADER = '''"""{title}: exported from nnstudio {version}.

A self-contained PyTorch version of the network and of how the project trains it.
Needs only torch and numpy. The weights are in {weights} and the project's training and
validation arrays in {data} (next to this file).

    python {script}                              # train as the project is set up
    torchrun --nproc_per_node=4 {script}         # the same with DistributedDataParallel
    python {script} --epochs 5 --save out.npz    # fewer epochs; save the trained weights

Under torchrun every process trains on its own share of each epoch (DistributedSampler),
with batch_size // world_size samples per step, so one step still sees the project's batch
size in total; gloo on CPU, nccl when CUDA is available. Rank 0 prints.
"""
import argparse
import math
import os
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset
'''

_BODY = '''

HERE = Path(__file__).resolve().parent
WEIGHTS_FILE = HERE / {weights!r}
DATA_FILE = {data_file}
INPUT_SHAPE = {input_shape!r}
LOSS = {loss!r}  # the Output yields logits for cross_entropy and bce (the loss applies softmax/sigmoid)
SETTINGS = {settings}
FIND_UNUSED_PARAMETERS = {find_unused}  # some layer does not feed the Output


def load_weights(model, path=WEIGHTS_FILE):
    """Copy "<node name>.<tensor>" arrays from an .npz file into the model."""
    with np.load(path, allow_pickle=False) as arrays:
        with torch.no_grad():
            for attr, node_name in model.NODE_NAMES.items():
                layer = getattr(model, attr)
                for tensor, value in list(layer.named_parameters()) + list(layer.named_buffers()):
                    key = f"{{node_name}}.{{tensor}}"
                    if key in arrays.files:
                        value.copy_(torch.from_numpy(arrays[key]))
                    elif tensor != "num_batches_tracked":
                        raise KeyError(f"{{path}} has no {{key!r}}")


def save_weights(model, path):
    """The model's tensors as an .npz with nnstudio's keys "<node name>.<tensor>" (nnstudio can import it)."""
    arrays = {{}}
    for attr, node_name in model.NODE_NAMES.items():
        layer = getattr(model, attr)
        for tensor, value in list(layer.named_parameters()) + list(layer.named_buffers()):
            if tensor != "num_batches_tracked":
                arrays[f"{{node_name}}.{{tensor}}"] = value.detach().cpu().numpy()
    np.savez(path, **arrays)


def load_data(path=DATA_FILE):
    """(X_train, y_train, X_val, y_val) as tensors: float32 inputs; class indices or float targets."""
    if path is None:
        raise SystemExit("this project had no dataset when it was exported - pass --data FILE.npz "
                         "with X_train, y_train, X_val, y_val")
    with np.load(path, allow_pickle=False) as d:
        parts = [d["X_train"], d["y_train"], d["X_val"], d["y_val"]]
    out = []
    for i, a in enumerate(parts):
        if i % 2 == 0:
            out.append(torch.from_numpy(np.asarray(a, np.float32)).reshape((len(a),) + INPUT_SHAPE))
        elif LOSS == "cross_entropy" and np.ndim(a) == 2 and np.shape(a)[1] > 1:  # a class per position
            out.append(torch.from_numpy(np.asarray(a, np.int64)))
        elif LOSS == "cross_entropy":
            out.append(torch.from_numpy(np.asarray(a, np.int64)).reshape(-1))
        else:
            out.append(torch.from_numpy(np.asarray(a, np.float32)).reshape(len(a), -1))
    return out


def loss_fn(pred, y):
    """Mean loss over the batch, as nnstudio defines it."""
    if LOSS == "cross_entropy" and y.ndim == 2:  # a class per position: the mean over every token
        return F.cross_entropy(pred.reshape(y.numel(), -1), y.reshape(-1))
    if LOSS == "cross_entropy":
        return F.cross_entropy(pred, y)
    if LOSS == "bce":
        return F.binary_cross_entropy_with_logits(pred, y)
    if LOSS == "mae":
        return F.l1_loss(pred, y)
    return F.mse_loss(pred, y)


def make_optimizer(params, s=SETTINGS):
    """nnstudio's optimizer with its options; l2 is PyTorch's (coupled) weight_decay."""
    name, lr, wd = s["optimizer"], s["lr"], s["l2"]
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, weight_decay=wd)
    if name in ("momentum", "nesterov"):
        return torch.optim.SGD(params, lr=lr, momentum=s["momentum"], nesterov=name == "nesterov", weight_decay=wd)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, betas=tuple(s["betas"]), eps=1e-8, weight_decay=wd)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, alpha=s["alpha"], eps=1e-8, weight_decay=wd)
    raise ValueError(f"unknown optimizer {{name!r}}")


def lr_at(epoch, s=SETTINGS):
    """The learning rate of a (0-based) epoch under the project's schedule."""
    if s["schedule"] == "step":
        return s["lr"] * s["gamma"] ** (epoch // s["step_size"])
    if s["schedule"] == "cosine":
        t = min(epoch, s["epochs"]) / max(1, s["epochs"])
        return s["lr_min"] + 0.5 * (s["lr"] - s["lr_min"]) * (1 + math.cos(math.pi * t))
    return s["lr"]


def train_step(model, optimizer, params, xb, yb, s=SETTINGS):
    """One optimizer step as nnstudio takes it: clip the gradient norm, then add L1, then update."""
    optimizer.zero_grad(set_to_none=True)
    loss = loss_fn(model(xb), yb)
    loss.backward()
    for p in params:
        if p.grad is None:  # a layer that does not feed the loss: nnstudio still decays it (L1/L2)
            p.grad = torch.zeros_like(p)
    if s["clip_grad_norm"] > 0:
        torch.nn.utils.clip_grad_norm_(params, s["clip_grad_norm"])
    if s["l1"] > 0:
        with torch.no_grad():
            for p in params:
                p.grad.add_(torch.sign(p), alpha=s["l1"])
    optimizer.step()
    return loss.detach()


class EpochOrder(DistributedSampler):
    """A DistributedSampler whose shuffle is nnstudio's: epoch e visits the training set in the
    order numpy.random.default_rng([seed, e]).permutation(n), so one process sees exactly the
    batches nnstudio trains on; several processes each take every world_size-th of that order."""

    def __iter__(self):
        n = len(self.dataset)
        order = np.random.default_rng([self.seed, self.epoch]).permutation(n).tolist()
        order += order[: self.total_size - n]  # pad so every process gets as many samples
        return iter(order[self.rank:self.total_size:self.num_replicas])


def make_loader(X, y, rank=0, world=1, s=SETTINGS):
    sampler = EpochOrder(TensorDataset(X, y), num_replicas=world, rank=rank, shuffle=True, seed=s["seed"])
    batch = max(1, s["batch_size"] // world)
    return DataLoader(TensorDataset(X, y), batch_size=batch, sampler=sampler), sampler


def evaluate(model, X, y, device, batch=4096):
    """Mean loss in evaluation mode (Dropout off, BatchNorm running statistics)."""
    if len(X) == 0:
        return float("nan")
    model.eval()
    total = 0.0
    with torch.no_grad():
        for i in range(0, len(X), batch):
            xb, yb = X[i:i + batch].to(device), y[i:i + batch].to(device)
            total += float(loss_fn(model(xb), yb)) * len(xb)
    model.train()
    return total / len(X)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=SETTINGS["epochs"], help="epochs to train (default: the project's)")
    ap.add_argument("--weights", default=str(WEIGHTS_FILE), help="start from these weights (.npz)")
    ap.add_argument("--data", default=None if DATA_FILE is None else str(DATA_FILE), help="the dataset (.npz)")
    ap.add_argument("--save", default=None, help="save the trained weights to this .npz")
    args = ap.parse_args(argv)

    distributed = "WORLD_SIZE" in os.environ  # set by torchrun
    cuda = torch.cuda.is_available()
    if distributed:
        dist.init_process_group("nccl" if cuda else "gloo")
        rank, world = dist.get_rank(), dist.get_world_size()
        local = int(os.environ.get("LOCAL_RANK", 0))
    else:
        rank, world, local = 0, 1, 0
    if cuda:
        torch.cuda.set_device(local)
    device = torch.device(f"cuda:{{local}}" if cuda else "cpu")
    torch.manual_seed(SETTINGS["seed"] + rank)  # dropout masks; the weights come from the file

    model = {class_name}()
    load_weights(model, args.weights)
    model.to(device)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = make_optimizer(params)
    net = model
    if distributed:
        net = nn.parallel.DistributedDataParallel(
            model, device_ids=[local] if cuda else None, find_unused_parameters=FIND_UNUSED_PARAMETERS)
    X_train, y_train, X_val, y_val = load_data(args.data)
    loader, sampler = make_loader(X_train, y_train, rank, world)

    best, since_best, best_state = math.inf, 0, None
    for epoch in range(args.epochs):
        sampler.set_epoch(epoch)
        for group in optimizer.param_groups:
            group["lr"] = lr_at(epoch)
        net.train()
        sums = torch.zeros(2, dtype=torch.float64, device=device)
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            loss = train_step(net, optimizer, params, xb, yb)
            sums += torch.stack([loss.double() * len(xb), torch.tensor(float(len(xb)), device=device).double()])
        if distributed:
            dist.all_reduce(sums)
        train_loss = float(sums[0] / sums[1])
        val = torch.tensor([evaluate(model, X_val, y_val, device)], dtype=torch.float64, device=device)
        if distributed:
            dist.broadcast(val, 0)  # every process takes rank 0's figure (early stopping decides alike)
        val_loss = float(val[0])
        if rank == 0:
            print(f"epoch {{epoch + 1}}/{{args.epochs}}  loss {{train_loss:.6f}}  val_loss {{val_loss:.6f}}  "
                  f"lr {{lr_at(epoch):.6g}}", flush=True)
        if SETTINGS["patience"] and math.isfinite(val_loss):
            if val_loss < best:
                best, since_best = val_loss, 0
                best_state = {{k: v.detach().clone() for k, v in model.state_dict().items()}}
            else:
                since_best += 1
                if since_best >= SETTINGS["patience"]:
                    if SETTINGS["restore_best"] and best_state is not None:
                        model.load_state_dict(best_state)
                    if rank == 0:
                        print(f"stopped early: no better validation loss for {{since_best}} epochs", flush=True)
                    break
    if args.save and rank == 0:
        save_weights(model, args.save)
        print(f"weights saved to {{args.save}}", flush=True)
    if distributed:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
'''

# the training settings the script uses, with nnstudio's defaults for any the project leaves out
DEFAULT_SETTINGS: dict[str, Any] = {
    "optimizer": "adam", "lr": 0.01, "momentum": 0.9, "betas": [0.9, 0.999], "alpha": 0.99, "l1": 0.0, "l2": 0.0,
    "clip_grad_norm": 0.0, "batch_size": 32, "epochs": 100, "schedule": "constant", "step_size": 30,
    "gamma": 0.1, "lr_min": 0.0, "patience": 0, "restore_best": True, "seed": 0,
}


def script_settings(training: Mapping[str, Any] | None) -> dict[str, Any]:
    out = dict(DEFAULT_SETTINGS)
    out.update({k: v for k, v in (training or {}).items() if k in DEFAULT_SETTINGS})
    out["betas"] = list(out["betas"])
    return out


def script_source(net: ExportNetwork, training: Mapping[str, Any] | None, weights_name: str,
                  data_name: str | None, script_name: str, title: str, version: str) -> str:
    """The whole training script as text."""
    module, helpers = module_code(net)
    settings = script_settings(training)
    parts = [
        _HEADER.format(title=title, version=version, weights=weights_name, data=data_name or "(no data exported)",
                       script=script_name),
        *(HELPERS[h] for h in sorted(helpers)),
        "\n\n" + module,
        _BODY.format(weights=weights_name, data_file=f"HERE / {data_name!r}" if data_name else "None",
                     input_shape=tuple(net.input.shape), loss=net.loss,
                     settings=pprint.pformat(settings, sort_dicts=False),
                     find_unused=net.has_dead_branches, class_name="Net"),
    ]
    return "".join(parts)


def write_pytorch(net: ExportNetwork, path: Path, training: Mapping[str, Any] | None = None,
                  data: Mapping[str, np.ndarray] | None = None, title: str = "model",
                  version: str = "") -> list[Path]:
    """Write ``path`` (the script), ``<stem>_weights.npz`` and, with data, ``<stem>_data.npz``."""
    weights_path = path.with_name(f"{path.stem}_weights.npz")
    data_path = path.with_name(f"{path.stem}_data.npz") if data is not None else None
    written = []
    atomic_write_bytes(weights_path, npz_bytes(state_dict(net)))
    written.append(weights_path)
    if data_path is not None:
        arrays = {k: np.ascontiguousarray(data[k]) for k in DATA_KEYS}
        atomic_write_bytes(data_path, npz_bytes(arrays))
        written.append(data_path)
    source = script_source(net, training, weights_path.name, data_path.name if data_path else None, path.name,
                           title, version)
    atomic_write_bytes(path, source.encode("utf-8"))
    return [path] + written
