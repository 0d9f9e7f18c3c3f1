"""Entry point: ``nnstudio [PROJECT]`` opens the app, ``nnstudio COMMAND ...`` runs headless."""
from __future__ import annotations

import sys
from typing import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    from nnstudio.cli import COMMANDS, build_parser, run

    if argv and (argv[0] in COMMANDS or argv[0].startswith("-")):
        if argv[0] in ("-h", "--help", "--version"):
            build_parser().parse_args(argv)  # prints and exits
        if argv[:2] == ["bench", "gui"]:  # needs Qt, so it lives with the app
            from nnstudio.app import bench_gui_main

            return bench_gui_main(argv[2:])
        if argv[0] in COMMANDS:
            return run(argv)
    from nnstudio.app import run_gui

    return run_gui(argv)


if __name__ == "__main__":
    sys.exit(main())
