"""MNIST-size training from IDX files: load time, peak memory, samples/s against PyTorch.

Writes synthetic 60,000 x 28 x 28 IDX files (no download), loads them with
``ns.data.load_idx`` (time; tracemalloc peak and RSS growth against the float32 data size),
then trains a 784-256-128-10 ReLU MLP with Adam for ``--seconds`` per side at batch 64 and
256: nnstudio through the Trainer the app uses (chunks of the shuffled epoch) and PyTorch
eager with a ``DataLoader(TensorDataset(X, y), batch_size, shuffle=True)``, same threads.

Run: python tests/bench/bench_mnist.py [--seconds S] [--threads T] [--json]
The machine may be shared: figures are noisy, compare within one run.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import numpy as np  # noqa: E402

import nnstudio as ns  # noqa: E402
from tests.data.idx_files import synthetic_mnist  # noqa: E402


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def load(folder: Path) -> tuple[ns.data.Dataset, dict]:
    images, labels = synthetic_mnist(folder)
    rss0 = _rss_mb()
    tracemalloc.start()
    t0 = time.perf_counter()
    ds = ns.data.load_idx(images, labels, val_ratio=1 / 6)
    seconds = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    data_mb = (ds.X_train.nbytes + ds.X_val.nbytes) / 1e6
    return ds, {"load_s": round(seconds, 3), "data_mb": round(data_mb, 1), "peak_mb": round(peak / 1e6, 1),
                "peak_over_data": round(peak / 1e6 / data_mb, 2), "rss_growth_mb": round(_rss_mb() - rss0, 1),
                "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3, 1)}


def mlp_graph() -> ns.Graph:
    g = ns.Graph()
    prev = g.add("Input", shape=[1, 28, 28])
    for kind, params in (("Flatten", {}), ("Dense", {"units": 256}), ("Activation", {"function": "relu"}),
                         ("Dense", {"units": 128}), ("Activation", {"function": "relu"}), ("Dense", {"units": 10})):
        nid = g.add(kind, **params)
        g.connect(prev, nid)
        prev = nid
    out = g.add("Output", loss="cross_entropy")
    g.connect(prev, out)
    return g


def nnstudio_rate(ds: ns.data.Dataset, batch: int, seconds: float, threads: int) -> float:
    from nnstudio.training.settings import TrainingSettings
    from nnstudio.training.trainer import Trainer

    settings = TrainingSettings(optimizer="adam", lr=1e-3, batch_size=batch, epochs=1000, threads=threads)
    trainer = Trainer(mlp_graph(), ds, settings)
    trainer.train_batches()  # warm-up
    done, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        done += trainer.train_batches() * batch
    return done / (time.perf_counter() - t0)


def torch_rate(ds: ns.data.Dataset, batch: int, seconds: float, threads: int) -> float | None:
    try:
        import torch
        from torch.utils.data import DataLoader, TensorDataset
    except ImportError:
        return None
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 256), torch.nn.ReLU(),
                                torch.nn.Linear(256, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    loader = DataLoader(TensorDataset(torch.from_numpy(ds.X_train), torch.from_numpy(ds.y_train)),
                        batch_size=batch, shuffle=True)
    done, t0, warm = 0, time.perf_counter(), True
    while True:
        for xb, yb in loader:
            opt.zero_grad()
            loss_fn(model(xb), yb).backward()
            opt.step()
            if warm:  # the first step is the warm-up
                warm, done, t0 = False, 0, time.perf_counter()
                continue
            done += len(xb)
            if time.perf_counter() - t0 >= seconds:
                return done / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=5.0, help="training time per side and batch size")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    from nnstudio.engine import OMP_POLICY_FROM_USER, set_threads, warm_up

    if not OMP_POLICY_FROM_USER:  # PyTorch with OpenMP's default policy, as its users run it
        os.environ.pop("OMP_WAIT_POLICY", None)
    set_threads(args.threads)
    warm_up()
    with tempfile.TemporaryDirectory() as d:
        ds, row = load(Path(d))
    print(json.dumps(row) if args.json else
          f"load 60,000 x 28 x 28 IDX: {row['load_s']:.2f} s; tracemalloc peak {row['peak_mb']:.0f} MB = "
          f"{row['peak_over_data']:.2f}x the {row['data_mb']:.0f} MB of float32 data; RSS grew "
          f"{row['rss_growth_mb']:.0f} MB", flush=True)
    for batch in (64, 256):
        ours = nnstudio_rate(ds, batch, args.seconds, args.threads)
        theirs = torch_rate(ds, batch, args.seconds, args.threads)
        r = {"batch": batch, "threads": args.threads, "nnstudio": round(ours), "torch_dataloader":
             None if theirs is None else round(theirs), "ratio": None if not theirs else round(ours / theirs, 2)}
        print(json.dumps(r) if args.json else
              f"784-256-128-10 adam batch {batch:3d}: nnstudio {ours:>8,.0f} samples/s   PyTorch DataLoader "
              + ("not installed" if theirs is None else f"{theirs:>8,.0f} samples/s -> {ours / theirs:.2f}x"),
              flush=True)


if __name__ == "__main__":
    main()
