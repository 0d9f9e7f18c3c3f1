"""``nnstudio bench``: training throughput of the engine against NumPy and PyTorch eager.

Each case trains the same network on the same random data in one process:
nnstudio (``plan.run_epoch``), the plain-NumPy reference (float64, SGD) and
PyTorch eager on the CPU when it is installed (same threads, batch, float32, and
OpenMP's default wait policy unless OMP_WAIT_POLICY is set).

PyTorch runs twice or three times: with its default optimizer and with each
one-argument setting a user can reach for (``foreach=True``, ``fused=True``, see
TORCH_CONFIGS); the table shows the default and the best of them, and the ratio
to both. Above the table the bench prints the CPU, the BLAS libraries numpy, the
engine and PyTorch use, the thread counts and the OpenMP settings
(:mod:`nnstudio.engine.bench_system`).

nnstudio and PyTorch take turns, ROUNDS times, and each reports its best round:
a shared machine slows single runs at random, and taking turns keeps a slow
stretch from falling on one side only.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from nnstudio.graph import Graph

MIN_SECONDS = 0.5  # per round
ROUNDS = 3
#: PyTorch optimizer settings a user reaches with one argument, per optimizer; "default" first.
TORCH_CONFIGS: dict[str, dict[str, dict[str, Any]]] = {
    "sgd": {"default": {}, "foreach": {"foreach": True}, "fused": {"fused": True}},
    "adam": {"default": {}, "foreach": {"foreach": True}, "fused": {"fused": True}},
}


@dataclass(frozen=True)
class Case:
    name: str
    layers: tuple[tuple[str, dict], ...]
    input_shape: tuple[int, ...]
    outputs: int
    loss: str
    batch: int
    samples: int
    unit: str = "samples/s"


def _mlp(sizes: Sequence[int], act: str) -> tuple[tuple[str, dict], ...]:
    layers: list[tuple[str, dict]] = []
    for i, units in enumerate(sizes[1:]):
        layers.append(("Dense", {"units": units}))
        if i < len(sizes) - 2:
            layers.append(("Activation", {"function": act}))
    return tuple(layers)


CNN = (("Conv2D", {"out_channels": 8, "kernel_size": 3}), ("Activation", {"function": "relu"}),
       ("MaxPool2D", {"kernel_size": 2}), ("Conv2D", {"out_channels": 16, "kernel_size": 3}),
       ("Activation", {"function": "relu"}), ("MaxPool2D", {"kernel_size": 2}), ("Flatten", {}),
       ("Dense", {"units": 10}))

# Convolutions of the sizes people train (issue 17): LeNet on 1x28x28 and a small CIFAR net on 3x32x32.
LENET = (("Conv2D", {"out_channels": 32, "kernel_size": 5, "padding": 2}), ("Activation", {"function": "relu"}),
         ("MaxPool2D", {"kernel_size": 2}), ("Conv2D", {"out_channels": 64, "kernel_size": 5, "padding": 2}),
         ("Activation", {"function": "relu"}), ("MaxPool2D", {"kernel_size": 2}), ("Flatten", {}),
         ("Dense", {"units": 10}))
CIFAR = (("Conv2D", {"out_channels": 32, "kernel_size": 3, "padding": 1}), ("Activation", {"function": "relu"}),
         ("Conv2D", {"out_channels": 32, "kernel_size": 3}), ("Activation", {"function": "relu"}),
         ("MaxPool2D", {"kernel_size": 2}), ("Conv2D", {"out_channels": 64, "kernel_size": 3, "padding": 1}),
         ("Activation", {"function": "relu"}), ("MaxPool2D", {"kernel_size": 2}), ("Flatten", {}),
         ("Dense", {"units": 10}))

CASES = (
    Case("tiny MLP 2-8-8-1 tanh, batch 10", _mlp((2, 8, 8, 1), "tanh"), (2,), 1, "mse", 10, 2000, "steps/s"),
    Case("MLP 784-256-128-10 relu, batch 64", _mlp((784, 256, 128, 10), "relu"), (784,), 10, "cross_entropy", 64,
         4096),
    Case("MLP 784-256-128-10 relu, batch 256", _mlp((784, 256, 128, 10), "relu"), (784,), 10, "cross_entropy",
         256, 8192),
    Case("CNN 1x28x28 (conv8-pool-conv16-pool-dense10), batch 64", CNN, (1, 28, 28), 10, "cross_entropy", 64,
         2048),
    Case("LeNet 1x28x28 (conv32 5x5-pool-conv64 5x5-pool-dense10), batch 32", LENET, (1, 28, 28), 10,
         "cross_entropy", 32, 512),
    Case("LeNet 1x28x28 (conv32 5x5-pool-conv64 5x5-pool-dense10), batch 64", LENET, (1, 28, 28), 10,
         "cross_entropy", 64, 512),
    Case("CIFAR 3x32x32 (conv32-conv32-pool-conv64-pool-dense10), batch 32", CIFAR, (3, 32, 32), 10,
         "cross_entropy", 32, 512),
    Case("CIFAR 3x32x32 (conv32-conv32-pool-conv64-pool-dense10), batch 64", CIFAR, (3, 32, 32), 10,
         "cross_entropy", 64, 512),
    # the case: batch 64, 50 steps, hidden 128; 16 input features, the last step into a Dense
    Case("LSTM 50 steps x 16 -> 128 (last step) -> dense10, batch 64",
         (("LSTM", {"hidden_size": 128}), ("Dense", {"units": 10})), (50, 16), 10, "cross_entropy", 64, 512),
)


def build_graph(case: Case) -> Graph:
    g = Graph()
    prev = g.add("Input", shape=list(case.input_shape))
    for kind, params in case.layers:
        nid = g.add(kind, **params)
        g.connect(prev, nid)
        prev = nid
    out = g.add("Output", loss=case.loss)
    g.connect(prev, out)
    return g


def _data(case: Case) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(case.samples,) + case.input_shape).astype(np.float32)
    if case.loss == "cross_entropy":
        return X, rng.integers(0, case.outputs, size=case.samples)
    return X, rng.normal(size=(case.samples, case.outputs)).astype(np.float32)


def _rate(fn: Callable[[], int]) -> float:
    """Samples per second of ``fn`` (which returns the samples it processed) over MIN_SECONDS,
    after one warm-up call."""
    fn()
    done, t0 = 0, time.perf_counter()
    while True:
        done += fn()
        elapsed = time.perf_counter() - t0
        if elapsed >= MIN_SECONDS:
            return done / elapsed


def nnstudio_epochs(case: Case, optimizer: str) -> Callable[[], int]:
    """One epoch of nnstudio training per call (returns the samples it trained on)."""
    from nnstudio.engine import compile as compile_plan

    X, Y = _data(case)
    plan = compile_plan(build_graph(case), case.batch, seed=0)
    plan.set_optimizer(optimizer, lr=1e-3)
    epoch = [0]

    def one() -> int:
        epoch[0] += 1
        plan.run_epoch(X, Y, shuffle_seed=epoch[0])
        return len(X)

    return one


def run_numpy(case: Case, optimizer: str) -> float | None:
    if optimizer != "sgd":
        return None
    from nnstudio.engine import compile as compile_plan
    from nnstudio.engine.reference import ReferenceNet, sgd_step

    X, Y = _data(case)
    g = build_graph(case)
    net = ReferenceNet(g, compile_plan(g, case.batch).params)
    pos = [0]

    def one() -> int:
        i = pos[0] % (len(X) // case.batch)
        pos[0] += 1
        sl = slice(i * case.batch, (i + 1) * case.batch)
        sgd_step(net, X[sl], Y[sl], 1e-3)
        return case.batch

    return _rate(one)


def torch_model(case: Case) -> Any:
    import torch

    acts = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh}
    mods: list[Any] = []
    shape = case.input_shape
    for kind, p in case.layers:
        if kind == "Dense":
            n_in = int(np.prod(shape))
            mods.append(torch.nn.Linear(n_in, p["units"]))
            shape = (p["units"],)
        elif kind == "Activation":
            mods.append(acts[p["function"]]())
        elif kind == "Conv2D":
            k, s, pad = p["kernel_size"], p.get("stride", 1), p.get("padding", 0)
            mods.append(torch.nn.Conv2d(shape[0], p["out_channels"], k, s, pad))
            shape = (p["out_channels"], (shape[1] + 2 * pad - k) // s + 1, (shape[2] + 2 * pad - k) // s + 1)
        elif kind == "MaxPool2D":
            k = p["kernel_size"]
            s = p.get("stride") or k
            mods.append(torch.nn.MaxPool2d(k, s))
            shape = (shape[0], (shape[1] - k) // s + 1, (shape[2] - k) // s + 1)
        elif kind == "Flatten":
            mods.append(torch.nn.Flatten())
        elif kind in ("RNN", "LSTM", "GRU"):
            mods.append(_torch_last_step(torch, kind, shape[-1], p["hidden_size"]))
            shape = (p["hidden_size"],)
    return torch.nn.Sequential(*mods)


def _torch_last_step(torch: Any, kind: str, features: int, hidden: int) -> Any:
    """``nn.LSTM`` (RNN, GRU) with ``batch_first=True`` whose output is the last step's hidden state."""

    class LastStep(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.rnn = getattr(torch.nn, kind)(features, hidden, batch_first=True)

        def forward(self, x: Any) -> Any:
            return self.rnn(x)[0][:, -1]

    return LastStep()


def import_torch() -> Any:
    """PyTorch as its users run it, or None when it is not installed."""
    from nnstudio.engine import OMP_POLICY_FROM_USER

    if "torch" not in sys.modules and not OMP_POLICY_FROM_USER:
        # OpenMP's default wait policy, not the PASSIVE one the engine asks for (OpenMP reads it
        # once, when PyTorch loads); PASSIVE slows PyTorch on 2 threads
        os.environ.pop("OMP_WAIT_POLICY", None)
    try:
        import torch
    except ImportError:
        return None
    return torch


def torch_epochs(case: Case, optimizer: str, threads: int, config: str = "default") -> Callable[[], int] | None:
    """One epoch of PyTorch eager training per call, or None without PyTorch.

    ``config`` names the optimizer setting of :data:`TORCH_CONFIGS` (``default``, ``foreach``, ``fused``).
    """
    torch = import_torch()
    if torch is None:
        return None
    torch.set_num_threads(threads)
    X, Y = _data(case)
    xt = torch.from_numpy(X)
    yt = torch.from_numpy(Y)
    torch.manual_seed(0)  # every configuration starts from the same weights
    model = torch_model(case)
    kw = TORCH_CONFIGS[optimizer][config]
    opt = torch.optim.SGD(model.parameters(), lr=1e-3, **kw) if optimizer == "sgd" else \
        torch.optim.Adam(model.parameters(), lr=1e-3, **kw)
    loss_fn = torch.nn.CrossEntropyLoss() if case.loss == "cross_entropy" else torch.nn.MSELoss()
    gen = torch.Generator().manual_seed(0)

    def one() -> int:
        order = torch.randperm(len(X), generator=gen)
        for start in range(0, len(X), case.batch):
            idx = order[start:start + case.batch]
            opt.zero_grad()
            loss = loss_fn(model(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
        return len(X)

    return one


def best_rates(*runs: Callable[[], int] | None) -> list[float | None]:
    """Samples/s of each run: they take turns ROUNDS times, and each keeps its best round."""
    best: list[float | None] = [None if r is None else 0.0 for r in runs]
    for _ in range(ROUNDS):
        for i, run in enumerate(runs):
            if run is not None:
                best[i] = max(best[i] or 0.0, _rate(run))
    return best


def torch_configs(optimizer: str) -> list[str]:
    """The PyTorch settings the bench compares for ``optimizer`` (those this PyTorch accepts)."""
    torch = import_torch()
    if torch is None:
        return []
    names = []
    for name, kw in TORCH_CONFIGS[optimizer].items():
        try:
            p = torch.nn.Parameter(torch.zeros(2))
            opt = (torch.optim.SGD if optimizer == "sgd" else torch.optim.Adam)([p], lr=1e-3, **kw)
            p.grad = torch.ones(2)
            opt.step()
        except (RuntimeError, TypeError, ValueError):  # an older PyTorch without fused CPU optimizers
            continue
        names.append(name)
    return names


def measure(case: Case, optimizer: str, threads: int) -> dict[str, Any]:
    """One row of the table: nnstudio, NumPy and every PyTorch setting, measured taking turns."""
    ref = run_numpy(case, optimizer)
    configs = torch_configs(optimizer)
    ours, *torch_rates = best_rates(nnstudio_epochs(case, optimizer),
                                    *(torch_epochs(case, optimizer, threads, c) for c in configs))
    per = case.batch if case.unit == "steps/s" else 1
    by_config = {c: round(r / per, 1) for c, r in zip(configs, torch_rates) if r}
    best = max(by_config, key=lambda c: by_config[c]) if by_config else None
    default = by_config.get("default")
    return {
        "case": case.name, "optimizer": optimizer, "threads": threads, "unit": case.unit,
        "nnstudio": round(ours / per, 1), "numpy": None if ref is None else round(ref / per, 1),
        "torch": default,
        "ratio_to_torch": round(ours / per / default, 2) if default else None,
        "torch_best": by_config[best] if best else None, "torch_best_config": best,
        "ratio_to_torch_best": round(ours / per / by_config[best], 2) if best else None,
        "torch_configs": by_config,
    }


def format_row(row: dict[str, Any]) -> str:
    """A table line: nnstudio's rate, NumPy's, PyTorch's default and best, and the two ratios."""
    unit = row["unit"]
    numpy_part = f"numpy {row['numpy']:>9,.0f}" if row["numpy"] is not None else " " * 15
    if row["torch"] is None:
        torch_part = "PyTorch not installed"
    else:
        torch_part = (f"torch {row['torch']:>9,.0f} (default), {row['torch_best']:>9,.0f} "
                      f"({row['torch_best_config']}) -> {row['ratio_to_torch']:.2f}x default, "
                      f"{row['ratio_to_torch_best']:.2f}x best")
    return (f"{row['case']:58s} {row['optimizer']:5s} nnstudio {row['nnstudio']:>10,.0f} {unit:9s} "
            f"{numpy_part}  {torch_part}")


def main(argv: Sequence[str] = ()) -> int:
    ap = argparse.ArgumentParser(prog="nnstudio bench", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", action="store_true",
                    help="one JSON object per case, after one {\"system\": ...} object")
    ap.add_argument("--threads", type=int, default=1, help="threads for BLAS and PyTorch (default 1)")
    ap.add_argument("--only", help="run only cases whose name contains this text")
    args = ap.parse_args(list(argv))
    from nnstudio.engine import set_threads, warm_up
    from nnstudio.engine.bench_system import format_report, system_report

    set_threads(args.threads)
    warm_up()
    torch = import_torch()
    if torch is not None:
        torch.set_num_threads(args.threads)
    rep = system_report()
    print(json.dumps({"system": rep}) if args.json else format_report(rep), flush=True)
    for case in CASES:
        if args.only and args.only not in case.name:
            continue
        for optimizer in ("sgd", "adam"):
            row = measure(case, optimizer, args.threads)
            print(json.dumps(row) if args.json else format_row(row), flush=True)
    return 0
