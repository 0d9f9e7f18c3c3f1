"""Lesson 10's transfer steps: what frozen trained filters plus a new head get on a new question,
against the whole CNN trained from scratch - per epoch and in seconds.

Goes through the lesson's own steps, as the app does: "Train the CNN on digits placed anywhere"
trains the teacher (seeds 0-4), then "Reuse the trained filters for odd or even" and "Same, from
scratch" build the two students: odd or even on the other half of the images, 5 training images of
each digit (15 held out). Each student trains for ``--epochs`` epochs in this thread; the bench
reports:

- samples/s of each, measured on all 899 images of the second half for ``--seconds``: the frozen
  filters need no gradients, so a step runs the filters forward only and the head both ways;
- the validation accuracy after some of the epochs, mean over seeds;
- the seconds (training time only) until the validation accuracy first reaches ``--target``
  ("nan": not within the epochs).

Run: python tests/bench/bench_transfer.py [--epochs E] [--target A] [--seconds S] [--json]
The machine may be shared: figures are noisy, compare within one run.
"""
from __future__ import annotations

import argparse
import copy
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import numpy as np  # noqa: E402

from nnstudio.io.project import Project  # noqa: E402
from nnstudio.lessons import apply_change, get_lesson  # noqa: E402
from nnstudio.training import trainer_for_project  # noqa: E402
from tests.lessons.lesson_helpers import example_of, step_labelled, trained  # noqa: E402

LESSON = get_lesson("architectures")
SEEDS = range(5)


def students(seed: int) -> dict[str, Project]:
    """The two students of the lesson's steps, from a teacher trained with ``seed``."""
    example = example_of(LESSON)
    teacher_project = apply_change(example, step_labelled(LESSON, "Train the CNN on digits").change(example))
    taught = copy.copy(teacher_project)
    taught.weights = trained(teacher_project, seed=seed).weights()
    reused = apply_change(taught, step_labelled(LESSON, "Reuse").change(taught))
    scratch = apply_change(reused, step_labelled(LESSON, "Same, from").change(reused))
    return {"reused filters": reused, "from scratch": scratch}


def with_training(project: Project, data: dict | None = None, **training: object) -> Project:
    out = copy.copy(project)
    out.data = {**project.data, **(data or {})}
    out.training = {**project.training, **training}
    return out


def timed_run(project: Project, seed: int, epochs: int) -> tuple[list[float], list[float]]:
    """Validation accuracy after each epoch and the training seconds it took to get there."""
    project = with_training(project, epochs=epochs)
    trainer_for_project(project, threads=1, seed=seed).run_epoch()  # the kernels' first calls compile them
    trainer = trainer_for_project(project, threads=1, seed=seed)
    accuracy, seconds, spent = [], [], 0.0
    while not trainer.done:
        start = time.perf_counter()
        trainer.run_epoch()
        spent += time.perf_counter() - start
        accuracy.append(trainer.history.val_accuracy[-1])
        seconds.append(spent)
    return accuracy, seconds


def samples_per_s(project: Project, seconds: float) -> float:
    trainer = trainer_for_project(with_training(project, {"per_class": 0}, epochs=10**6), threads=1)
    trainer.run_epoch()
    epochs, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        trainer.run_epoch()
        epochs += 1
    return epochs * len(trainer.X_train) / (time.perf_counter() - start)


def first_reaching(accuracy: list[float], seconds: list[float], target: float) -> float:
    return next((s for a, s in zip(accuracy, seconds) if a >= target), float("nan"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--target", type=float, default=0.6)
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    result: dict[str, dict] = {}
    for seed in SEEDS:
        for name, project in students(seed).items():
            accuracy, seconds = timed_run(project, seed, args.epochs)
            r = result.setdefault(name, {"accuracy": [], "to_target_s": [], "samples_per_s": 0.0})
            r["accuracy"].append(accuracy)
            r["to_target_s"].append(first_reaching(accuracy, seconds, args.target))
            if seed == SEEDS[0]:
                r["samples_per_s"] = samples_per_s(project, args.seconds)
    if args.json:
        print(json.dumps(result))
        return
    reused, scratch = result["reused filters"], result["from scratch"]
    shown = sorted({e for e in (1, 2, 3, 5, 10, args.epochs) if e <= args.epochs})
    print(f"odd or even on unseen digits from 5 images of each (15 held out), seeds {SEEDS[0]}-{SEEDS[-1]}, 1 thread")
    print(f"{'':16}{'samples/s':>12}   val accuracy after epoch " + " ".join(f"{e:>5}" for e in shown)
          + f"   s to {args.target:.2f} (per seed)")
    for name, r in result.items():
        mean = np.mean(r["accuracy"], axis=0)
        print(f"{name:16}{r['samples_per_s']:>12,.0f}   {'':25}" + " ".join(f"{mean[e - 1]:5.3f}" for e in shown)
              + "   " + " ".join(f"{s:.3f}" for s in r["to_target_s"]))
    speed = reused["samples_per_s"] / scratch["samples_per_s"]
    reached = [s for s in scratch["to_target_s"] if np.isfinite(s)]
    if reached:
        sooner = np.median(reached) / np.nanmedian(reused["to_target_s"])
        when = f"reaches {args.target:.2f} {sooner:.2f}x sooner (median over the seeds where both do)"
    else:
        when = f"from scratch did not reach {args.target:.2f} in {args.epochs} epochs on any seed"
    print(f"reused / from scratch: {speed:.2f}x the samples/s; {when}")

if __name__ == "__main__":
    main()
