"""What live snapshots cost: training throughput with live snapshots against none.

Run: ``python tests/bench/bench_snapshots.py [--seconds S] [--json]``. Trains
the spiral, digits-mlp and digits-cnn examples in a Session for S seconds each, once with
no snapshots and once at the rate the window asks for with everything its views ask for
(histograms, parameters, a 64x64 decision-surface grid with per-neuron maps; for the CNN
the projection's hidden activations of 300 samples and one sample's feature maps), and prints
samples/s, the relative cost and the share of the training thread spent building snapshots.
"""
from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path

from nnstudio.io import load_project
from nnstudio.training import Extras, Session, trainer_for_project
from nnstudio.ui.training_controller import SNAPSHOT_HZ_WITH_EXTRAS

EXAMPLES = Path(__file__).resolve().parents[2] / "nnstudio" / "resources" / "examples"


def measure(name: str, hz: float, extras: Extras, seconds: float) -> tuple[float, float]:
    """Samples per second, and the share of the time spent building snapshots."""
    project = load_project(EXAMPLES / f"{name}.nnstudio")
    trainer = trainer_for_project(project, epochs=1_000_000)
    if extras.hidden_node == "last hidden":  # the projection view's default: the last hidden layer
        extras = replace(extras, hidden_node=[n.id for n in project.graph.nodes_of_kind("Activation")][-1])
    s = Session(trainer, snapshot_hz=hz)
    s.set_extras(extras)
    s.step()  # warm up compiled code before timing
    s.wait(timeout=120)
    start_snap = s.latest_snapshot()
    building = s.snapshot_seconds
    s.start()
    time.sleep(seconds)
    s.pause()
    s.wait(timeout=60)
    end_snap = s.latest_snapshot()
    building = s.snapshot_seconds - building
    s.close()
    samples = (end_snap.step - start_snap.step) * trainer.settings.batch_size
    return samples / seconds, building / seconds


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    results = {}
    for name, hz, extras in [
        ("spiral", SNAPSHOT_HZ_WITH_EXTRAS, Extras(params=True, grid=(-9, 9, -9, 9, 64), neuron_grid=True)),
        ("digits-mlp", SNAPSHOT_HZ_WITH_EXTRAS, Extras(params=True)),
        ("digits-cnn", SNAPSHOT_HZ_WITH_EXTRAS, Extras(params=True, hidden_node="last hidden", sample_index=0)),
    ]:
        none, _ = measure(name, 0, Extras(), args.seconds)
        live, building = measure(name, hz, extras, args.seconds)
        results[name] = {"snapshot_hz": hz, "samples_per_s_no_snapshots": round(none),
                         "samples_per_s_live": round(live), "throughput_loss": round(1 - live / none, 4),
                         "snapshot_share": round(building, 4)}
    if args.json:
        print(json.dumps(results))
    else:
        for name, r in results.items():
            print(f"{name:12s} no snapshots {r['samples_per_s_no_snapshots']:>10,} samples/s   "
                  f"{r['snapshot_hz']:g} Hz {r['samples_per_s_live']:>10,} samples/s   "
                  f"loss {100 * r['throughput_loss']:.1f}%   building snapshots {100 * r['snapshot_share']:.1f}%")


if __name__ == "__main__":
    main()
