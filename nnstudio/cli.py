"""Headless commands: ``nnstudio validate``, ``train``, ``runs``, ``bench``.

No Qt here. Every command returns an exit code; user-caused problems are
printed as one clear line each, never as a traceback.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from nnstudio._version import __version__
from nnstudio.errors import DataError, NNStudioError, ProjectFileError
from nnstudio.io.export import FORMATS as EXPORT_FORMATS

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE, EXIT_DIVERGED = 0, 1, 2, 3


def _err(message: str) -> None:
    print(f"nnstudio: {message}", file=sys.stderr)


def cmd_validate(args: argparse.Namespace) -> int:
    from nnstudio.io import load_project

    try:
        project = load_project(args.file)
    except NNStudioError as exc:
        _err(str(exc))
        return EXIT_UNREADABLE
    for warning in project.warnings:
        print(f"warning: {warning}")
    target = _target_for(project, args.file)
    problems = project.graph.validate(target)
    errors = 0
    for p in problems:
        prefix = "" if p.severity == "error" else "warning: "
        print(prefix + p.describe(project.graph))
        errors += p.severity == "error"
    if not errors:
        print(f"{args.file}: valid ({project.graph.total_params():,} trainable parameters)")
    return EXIT_INVALID if errors else EXIT_OK


def _target_for(project, path: str):
    """The dataset's shape and task, when the project's data can be loaded; else None."""
    if not project.data:
        return None
    from nnstudio.data import load_from_spec
    from nnstudio.training import target_of

    try:
        return target_of(load_from_spec(project.data, Path(path).parent))
    except NNStudioError as exc:
        print(f"warning: the dataset could not be checked: {exc}")
        return None


def _json_line(obj: dict) -> None:
    print(json.dumps(obj, allow_nan=False, default=_json_default), flush=True)


def _json_default(v):
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, np.ndarray):
        return v.tolist()
    raise TypeError(type(v).__name__)


def _finite(v) -> float | None:
    v = float(v)
    return v if math.isfinite(v) else None


def _epoch_record(trainer, seconds: float) -> dict:
    h = trainer.history
    rec = {"event": "epoch", "epoch": trainer.epoch, "train_loss": _finite(h.train_loss[-1]),
           "val_loss": _finite(h.val_loss[-1]), "lr": trainer.lr, "steps": trainer.step_count,
           "seconds": round(seconds, 3)}
    if trainer.classification:
        rec["train_accuracy"] = _finite(h.train_accuracy[-1])
        rec["val_accuracy"] = _finite(h.val_accuracy[-1])
    else:
        rec["train_mae"] = _finite(trainer.last_metrics.get("train_mae", float("nan")))
        rec["val_mae"] = _finite(trainer.last_metrics.get("val_mae", float("nan")))
    return rec


def _say_if_compiling() -> None:
    """On a cold kernel cache the first epoch waits for the compiler: say so, or it looks hung."""
    from nnstudio.engine.cache import kernels_cached

    if not kernels_cached():  # projects train float32 plans
        _err("compiling the engine's kernels (first run only, about a minute)...")


def cmd_train(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from nnstudio.io import load_project, save_project
    from nnstudio.training import Run, trainer_for_project

    started = time.strftime("%Y-%m-%dT%H:%M:%S")
    try:
        project = load_project(args.project)
        _say_if_compiling()
        trainer = trainer_for_project(project, Path(args.project).parent, use_weights=not args.fresh,
                                      epochs=args.epochs, seed=args.seed, lr=args.lr, threads=args.threads)
    except (ProjectFileError, DataError) as exc:  # the README promises 2 for a file that cannot be read
        _err(str(exc))
        return EXIT_UNREADABLE
    except NNStudioError as exc:
        _err(str(exc))
        return EXIT_INVALID
    if project.weights and not args.fresh:
        from nnstudio.training.resume import describe_resume

        for line in describe_resume(project, trainer):
            print(line, file=sys.stderr)
        if args.epochs and trainer.epoch:  # --epochs N on a resumed project: N more epochs
            trainer.apply_settings(trainer.settings.with_changes(epochs=trainer.epoch + args.epochs))
        if trainer.done:
            print(f"already trained for {trainer.epoch} epochs (the project's limit is {trainer.settings.epochs}) - "
                  "pass --epochs N to train N more, or --fresh to start over", file=sys.stderr)
            return EXIT_OK
    total = trainer.settings.epochs
    bar = tqdm(total=total, unit="epoch", file=sys.stderr, disable=True if args.json else None,
               dynamic_ncols=True, desc=Path(args.project).stem)
    t0 = time.perf_counter()
    status = "finished"
    try:
        while not trainer.done:
            trainer.run_epoch()
            if trainer.divergence is not None:
                status = "diverged"
                break
            rec = _epoch_record(trainer, time.perf_counter() - t0)
            if args.json:
                _json_line(rec)
            bar.update(1)
            bar.set_postfix({k: f"{v:.4g}" for k, v in rec.items()
                             if k in ("train_loss", "val_loss", "val_accuracy", "val_mae") and v is not None})
    except KeyboardInterrupt:
        status = "stopped"
    finally:
        bar.close()
    seconds = time.perf_counter() - t0
    run = Run.from_trainer(trainer, status, started, seconds)
    project.runs.append(run.to_dict())
    if args.save_weights and status != "diverged":
        project.weights = trainer.weights()
        project.optimizer = trainer.training_state()  # so that the next `nnstudio train` resumes exactly
    try:
        save_project(project, args.project)
    except NNStudioError as exc:
        _err(f"training finished but the run could not be stored: {exc}")
    if status == "diverged":
        report = trainer.divergence
        if args.json:
            _json_line({"event": "diverged", "message": report.message, "step": report.step,
                        "epoch": report.epoch, "lr": report.lr, "suggested_lr": report.suggested_lr})
        else:
            _err(report.message)
        return EXIT_DIVERGED
    done = {"event": "done", "status": status, "epochs": trainer.epoch, "steps": trainer.step_count,
            "seconds": round(seconds, 3), "stopped_early": trainer.stopped_early, "run": run.id}
    done.update({k: v for k, v in run.final.items()})
    if args.json:
        _json_line(done)
    else:
        shown = ", ".join(f"{k} {v:.4g}" for k, v in run.final.items() if v is not None)
        print(f"{status} after {trainer.epoch} epochs in {seconds:.1f} s: {shown}")
    return EXIT_OK if status == "finished" else 130


def cmd_runs(args: argparse.Namespace) -> int:
    from nnstudio.io import load_project
    from nnstudio.training import export_csv, runs_of

    try:
        project = load_project(args.project)
    except NNStudioError as exc:
        _err(str(exc))
        return EXIT_UNREADABLE
    runs = runs_of(project)
    if args.json:
        for run in runs:
            _json_line(run.to_dict())
    elif not runs:
        print("no runs stored yet - train with `nnstudio train` or from the app")
    for run in runs if not args.json else ():
        print(run.summary())
    if args.csv:
        export_csv(runs, args.csv)
        print(f"curves of {len(runs)} run(s) written to {args.csv}")
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from nnstudio.io import load_project
    from nnstudio.training.export import export_from_project

    try:
        project = load_project(args.file)
    except NNStudioError as exc:
        _err(str(exc))
        return EXIT_UNREADABLE
    path = Path(args.file)
    out = args.output if args.output is not None else path.parent
    result = export_from_project(args.format, out, project, path.parent, name=path.stem)  # errors: exit 1
    for warning in project.warnings + result.warnings:
        print(f"warning: {warning}")
    print(f"exported with {'the saved trained' if result.source == 'saved' else 'the initial'} weights:")
    for f in result.files:
        print(f)
    return EXIT_OK


def cmd_bench(args: argparse.Namespace, rest: list[str]) -> int:
    from nnstudio.engine.bench import main as bench_main

    return bench_main(rest)


COMMANDS: dict[str, str] = {
    "validate": "check a project file and list its problems",
    "train": "train a project without a display",
    "runs": "list the training runs stored in a project",
    "bench": "measure training speed against PyTorch (bench gui: the GUI's responsiveness)",
    "export": "write the network as a PyTorch training script, an ONNX model or npz weights",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nnstudio",
        description="Build neural networks on a node canvas and watch them learn. "
        "Without a command, the app opens (with PROJECT if given).",
    )
    parser.add_argument("--version", action="version", version=f"nnstudio {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    p = sub.add_parser("validate", help=COMMANDS["validate"])
    p.add_argument("file", help="a .nnstudio project file")
    p = sub.add_parser("train", help=COMMANDS["train"])
    p.add_argument("project", help="a .nnstudio project file (the run is stored in it)")
    p.add_argument("--epochs", type=int, help="train for this many epochs (default: the project's setting)")
    p.add_argument("--seed", type=int, help="seed for initialisation, shuffling and dropout")
    p.add_argument("--lr", type=float, help="learning rate")
    p.add_argument("--threads", type=int, help="threads for the engine (0 = all cores)")
    p.add_argument("--save-weights", action="store_true",
                   help="store the trained weights and optimizer state in the project (the next train resumes)")
    p.add_argument("--fresh", action="store_true", help="ignore saved weights and start from a new initialisation")
    p.add_argument("--json", action="store_true", help="one JSON object per line instead of a progress bar")
    p = sub.add_parser("runs", help=COMMANDS["runs"])
    p.add_argument("project", help="a .nnstudio project file")
    p.add_argument("--json", action="store_true", help="one JSON object per run")
    p.add_argument("--csv", metavar="PATH", help="also export every run's curves to a CSV file")
    sub.add_parser("bench", help=COMMANDS["bench"], add_help=False)
    p = sub.add_parser("export", help=COMMANDS["export"])
    p.add_argument("file", help="a .nnstudio project file")
    p.add_argument("--format", required=True, choices=tuple(EXPORT_FORMATS), help="what to write")
    p.add_argument("-o", "--output", metavar="OUT",
                   help="the file to write (extension added if missing) or a folder (default: the project's)")
    return parser


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "validate": cmd_validate, "train": cmd_train, "runs": cmd_runs,
    "export": cmd_export,
}


ENGINE_COMMANDS = ("train", "export", "bench")  # the commands that run the engine


def run(argv: Sequence[str]) -> int:
    """Run a headless command; returns the exit code."""
    argv = list(argv)
    parser = build_parser()
    if argv and argv[0] in ENGINE_COMMANDS:
        from nnstudio.engine import configure_process

        configure_process()  # the engine's process-wide settings, before it starts any thread
    if argv and argv[0] == "bench":
        return cmd_bench(argparse.Namespace(), argv[1:])
    args = parser.parse_args(argv)
    try:
        return HANDLERS[args.command](args)
    except NNStudioError as exc:
        _err(str(exc))
        return EXIT_INVALID
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
