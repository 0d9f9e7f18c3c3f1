"""Entry point of the frozen app (PyInstaller): ``nnstudio`` as the installer ships it.

Before nnstudio is imported it sets up what only a frozen app needs:

* the kernel cache shipped in the bundle (``<bundle>/numba-cache``), compiled at build time
  for a generic x86-64 CPU so that it is valid on any machine (see ``nnstudio.engine.cache``);
* TBB, numba's threading layer: PyInstaller collects ``libtbb.so.12`` into the bundle, where the
  dynamic loader does not look, so it is loaded by path first;
* two switches for the build and the packaging test: ``NNSTUDIO_BUILD_CACHE=1`` compiles every
  kernel into the shipped cache and exits; ``NNSTUDIO_SMOKE_TEST=FILE`` opens the window, presses
  Train, writes how long the first training step took to FILE (JSON) and quits.
"""
from __future__ import annotations

import ctypes
import os
import sys
from pathlib import Path

BUNDLE = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parent))
SHIPPED_CACHE = BUNDLE / "numba-cache"


def _prepare_environment() -> None:
    os.environ.setdefault("NNSTUDIO_SHIPPED_CACHE", str(SHIPPED_CACHE))
    # The shipped kernels are compiled for a generic CPU; the user may still ask for native code.
    os.environ.setdefault("NUMBA_CPU_NAME", "generic")
    for name in ("libtbb.so.12", "libtbb.12.dylib", "tbb12.dll"):
        lib = BUNDLE / name
        if lib.exists():
            try:
                ctypes.CDLL(str(lib), mode=getattr(os, "RTLD_GLOBAL", 0))
            except OSError:
                pass  # numba falls back to OpenMP or its workqueue
            break


def _build_cache() -> int:
    """Compile every kernel variant the app can ask for into the shipped cache."""
    os.environ["NNSTUDIO_CACHE_DIR"] = str(SHIPPED_CACHE)
    from nnstudio.engine.threads import warm_up

    for dtype in ("float32", "float64"):
        print(f"compiled the {dtype} kernels in {warm_up(dtype=dtype):.1f} s", file=sys.stderr)
    return 0


def _smoke_test(result_file: str) -> None:
    """Schedule: press Train once the window is up, time the first step, then close the window."""
    import json
    import time

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from nnstudio.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    state: dict = {}

    def window() -> MainWindow | None:
        return next((w for w in app.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()), None)

    def press_train() -> None:
        w = window()
        if w is None:
            QTimer.singleShot(50, press_train)
            return
        w._ask_save = lambda: "discard"  # nothing to keep from a smoke test
        state.update(window=w, t0=time.perf_counter())
        w.trainer.train_action.trigger()  # what the toolbar's Train button does
        QTimer.singleShot(20, poll)

    def poll() -> None:
        w, elapsed = state["window"], time.perf_counter() - state["t0"]
        session = w.trainer.session
        snap = session.latest_snapshot() if session is not None else None
        if (snap is None or snap.step < 1) and elapsed < 120:
            QTimer.singleShot(20, poll)
            return
        Path(result_file).write_text(json.dumps({"first_train_s": elapsed, "steps": snap.step if snap else 0,
                                                 "title": w.windowTitle()}))
        w.trainer.close_session(store=False)
        w.close()

    QTimer.singleShot(0, press_train)


def main() -> int:
    _prepare_environment()
    if os.environ.get("NNSTUDIO_BUILD_CACHE") == "1":
        return _build_cache()
    if os.environ.get("NNSTUDIO_SMOKE_TEST"):
        _smoke_test(os.environ["NNSTUDIO_SMOKE_TEST"])
    from nnstudio.__main__ import main as nnstudio_main

    return nnstudio_main()


if __name__ == "__main__":
    sys.exit(main())
