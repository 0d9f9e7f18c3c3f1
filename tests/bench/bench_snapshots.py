"""What live snapshots cost: training throughput with snapshots at 30 Hz against none.

Run: ``python tests/bench/bench_snapshots.py [--seconds S] [--json]``. Trains
the spiral and digits-mlp examples in a Session for S seconds each, once with
no snapshots and once at 30 Hz with everything the live views ask for
(histograms, parameters, a 64x64 decision-surface grid with per-neuron maps,
hidden activations), and prints samples/s and the relative cost.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from nnstudio.io import load_project
from nnstudio.training import Extras, Session, trainer_for_project

EXAMPLES = Path(__file__).resolve().parents[2] / "nnstudio" / "resources" / "examples"


def measure(name: str, hz: float, extras: Extras, seconds: float) -> float:
    project = load_project(EXAMPLES / f"{name}.nnstudio")
    trainer = trainer_for_project(project, epochs=1_000_000)
    s = Session(trainer, snapshot_hz=hz)
    s.set_extras(extras)
    s.step()  # warm up compiled code before timing
    s.wait(timeout=120)
    start_snap = s.latest_snapshot()
    s.start()
    time.sleep(seconds)
    s.pause()
    s.wait(timeout=60)
    end_snap = s.latest_snapshot()
    s.close()
    samples = (end_snap.step - start_snap.step) * trainer.settings.batch_size
    return samples / seconds


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    results = {}
    for name, extras in [
        ("spiral", Extras(params=True, grid=(-9, 9, -9, 9, 64), neuron_grid=True, hidden_node=None)),
        ("digits-mlp", Extras(params=True)),
    ]:
        none = measure(name, 0, Extras(), args.seconds)
        live = measure(name, 30, extras, args.seconds)
        results[name] = {"samples_per_s_no_snapshots": round(none), "samples_per_s_30hz": round(live),
                         "throughput_loss": round(1 - live / none, 4)}
    if args.json:
        print(json.dumps(results))
    else:
        for name, r in results.items():
            print(f"{name:12s} no snapshots {r['samples_per_s_no_snapshots']:>10,} samples/s   "
                  f"30 Hz {r['samples_per_s_30hz']:>10,} samples/s   loss {100 * r['throughput_loss']:.1f}%")


if __name__ == "__main__":
    main()
