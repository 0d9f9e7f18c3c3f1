"""Time loading a 1,000,000-row, 20-column numeric CSV with ns.data.load_csv vs np.loadtxt.

Run: python tests/bench/bench_csv.py [--rows N]
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

import nnstudio as ns


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "big.csv"
        data = rng.normal(size=(args.rows, 20)).round(5)
        data[:, -1] = rng.integers(0, 2, args.rows)
        header = ",".join(f"c{i}" for i in range(19)) + ",label"
        np.savetxt(path, data, delimiter=",", header=header, comments="", fmt="%.5g")
        size = path.stat().st_size / 1e6
        t0 = time.perf_counter()
        ds = ns.data.load_csv(path, target="label")
        ours = time.perf_counter() - t0
        t0 = time.perf_counter()
        np.loadtxt(path, delimiter=",", skiprows=1)
        base = time.perf_counter() - t0
    print(f"{args.rows} rows x 20 columns ({size:.0f} MB): load_csv {ours:.2f} s "
          f"(np.loadtxt alone {base:.2f} s, ratio {ours / base:.2f}); {ds.n} samples, {ds.n_classes} classes")


if __name__ == "__main__":
    main()
