"""Headless commands: ``nnstudio validate``, ``train``, ``runs``, ``bench``.

No Qt here. Every command returns an exit code; user-caused problems are
printed as one clear line each, never as a traceback.
"""
from __future__ import annotations

import argparse
import sys
from typing import Callable, Sequence

from nnstudio._version import __version__
from nnstudio.errors import NNStudioError

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
    target = _target_for(project)
    problems = project.graph.validate(target)
    errors = 0
    for p in problems:
        prefix = "" if p.severity == "error" else "warning: "
        print(prefix + p.describe(project.graph))
        errors += p.severity == "error"
    if not errors:
        print(f"{args.file}: valid ({project.graph.total_params():,} trainable parameters)")
    return EXIT_INVALID if errors else EXIT_OK


def _target_for(project):
    """The dataset's shape and task, when the project's data can be loaded; else None."""
    if not project.data:
        return None
    try:
        from nnstudio.data import target_spec_for
    except ImportError:
        return None
    try:
        return target_spec_for(project.data)
    except NNStudioError as exc:
        print(f"warning: the dataset could not be checked: {exc}")
        return None


def cmd_bench(args: argparse.Namespace, rest: list[str]) -> int:
    from nnstudio.engine.bench import main as bench_main

    return bench_main(rest)


COMMANDS: dict[str, str] = {
    "validate": "check a project file and list its problems",
    "bench": "measure training speed against PyTorch (bench gui: the GUI's responsiveness)",
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
    sub.add_parser("bench", help=COMMANDS["bench"], add_help=False)
    return parser


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {"validate": cmd_validate}


def run(argv: Sequence[str]) -> int:
    """Run a headless command; returns the exit code."""
    argv = list(argv)
    parser = build_parser()
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
