"""Compile latency: cold (empty kernel cache) and warm (cached) first steps of the benchmark CNN,
and ``ns.compile`` of long chains (100, 400 and 1,000 Dense layers: compiling must stay linear).

Run: ``python tests/bench/bench_compile.py [--json] [--chains-only]``. Each measurement is a fresh Python
process with its own kernel cache folder (``NNSTUDIO_CACHE_DIR``): the first process starts
from an empty cache, the second finds the kernels the first one cached - what a user gets on
the first start of the app and on every start after it.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

# The measured process: import, compile the CNN of ``nnstudio bench``, one optimizer step.
PROBE = r"""
import json, time
t0 = time.perf_counter()
import numpy as np
import nnstudio as ns
from nnstudio.engine.bench import CASES, build_graph
t1 = time.perf_counter()
case = next(c for c in CASES if c.name.startswith("CNN"))
plan = ns.compile(build_graph(case), batch_size=case.batch)
plan.set_optimizer("sgd", lr=0.01)
t2 = time.perf_counter()
rng = np.random.default_rng(0)
x = rng.normal(size=(case.batch,) + case.input_shape).astype(np.float32)
loss = plan.step(x, rng.integers(0, case.outputs, size=case.batch))
t3 = time.perf_counter()
assert np.isfinite(loss)
print(json.dumps({"import_s": t1 - t0, "compile_s": t2 - t1, "first_step_s": t3 - t2,
                  "compile_and_first_step_s": t3 - t1}))
"""


def probe(cache_dir: str) -> dict[str, float]:
    env = {**os.environ, "NNSTUDIO_CACHE_DIR": cache_dir}
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def chain_graph(layers: int):
    """Input -> ``layers`` x Dense(4) -> Output."""
    import nnstudio as ns

    g = ns.Graph()
    prev = g.add("Input", shape=[4])
    for _ in range(layers):
        nid = g.add("Dense", units=4)
        g.connect(prev, nid)
        prev = nid
    out = g.add("Output", loss="mse")
    g.connect(prev, out)
    return g


def chain_compile_times(sizes=(100, 400, 1000), repeats: int = 3) -> dict[int, dict[str, float]]:
    """Best-of-``repeats`` wall and CPU seconds of ``ns.compile`` (no kernel runs) per chain length."""
    import time

    import nnstudio as ns

    out = {}
    for layers in sizes:
        g = chain_graph(layers)
        walls, cpus = [], []
        for _ in range(repeats):
            t, c = time.perf_counter(), time.process_time()
            ns.compile(g, batch_size=8)
            walls.append(time.perf_counter() - t)
            cpus.append(time.process_time() - c)
        out[layers] = {"wall_s": min(walls), "cpu_s": min(cpus)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--chains-only", action="store_true", help="only the long-chain compile times")
    args = ap.parse_args()
    chains = chain_compile_times()
    if args.chains_only:
        if args.json:
            print(json.dumps({"chains": chains}))
        for layers, r in chains.items():
            print(f"ns.compile of a {layers}-layer chain: {r['wall_s']:.3f} s wall, {r['cpu_s']:.3f} s CPU (best of 3)")
        return
    with tempfile.TemporaryDirectory() as cache:
        cold = probe(cache)
        warm = probe(cache)
    if args.json:
        print(json.dumps({"cold": cold, "warm": warm, "chains": chains}))
        return
    for layers, r in chains.items():
        print(f"ns.compile of a {layers}-layer chain: {r['wall_s']:.3f} s wall, {r['cpu_s']:.3f} s CPU (best of 3)")
    for name, r in (("cold cache", cold), ("warm cache", warm)):
        print(f"{name}: import {r['import_s']:.2f} s, ns.compile {r['compile_s']:.3f} s, "
              f"first optimizer step {r['first_step_s']:.2f} s (compile + first step "
              f"{r['compile_and_first_step_s']:.2f} s)")


if __name__ == "__main__":
    main()
