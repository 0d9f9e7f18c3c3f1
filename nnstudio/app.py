"""Composition root of the desktop app: QApplication and the main window."""
from __future__ import annotations

import argparse
import sys
from typing import Sequence


def run_gui(argv: Sequence[str]) -> int:
    """Open the main window (with a project if a path is given); returns the exit code."""
    parser = argparse.ArgumentParser(prog="nnstudio")
    parser.add_argument("project", nargs="?", help="a .nnstudio file to open (created on Save if it does not exist)")
    args = parser.parse_args(list(argv))
    from nnstudio.engine import configure_process

    configure_process()  # the engine's process-wide settings, before any OpenMP or numba thread starts

    from PySide6.QtWidgets import QApplication

    from nnstudio.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("nnstudio")
    app.setOrganizationName("nnstudio")
    from nnstudio.engine import warm_up

    warm_up(background=True)  # compile or load the kernels while the user looks at the window
    window = MainWindow()
    if args.project:
        window.open_path(args.project, ask=False)
    window.show()
    from nnstudio.ui.autosave import start_recovery_offer

    start_recovery_offer(window)  # after a crash: offer the autosaved work
    code = app.exec()
    # Delete the widgets while Qt is still alive rather than in the interpreter's final garbage
    # collection, where the order of Qt and Python teardown is not ours to choose.
    window.deleteLater()
    app.processEvents()
    del window
    import gc

    gc.collect()
    return code


def bench_gui_main(argv: Sequence[str]) -> int:
    """``nnstudio bench gui``: UI latency and training throughput with every live view open."""
    import os

    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from nnstudio.engine import configure_process

    configure_process()
    from nnstudio.ui.bench_gui import main

    return main(argv)
