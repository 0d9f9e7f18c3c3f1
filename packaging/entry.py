"""Entry point of the frozen app (PyInstaller): ``nnstudio`` as the installer ships it.

Before nnstudio is imported it sets up what only a frozen app needs:

* the kernel cache shipped in the bundle (``<bundle>/numba-cache``), compiled at build time
  for a generic x86-64 CPU so that it is valid on any machine (see ``nnstudio.engine.cache``);
* TBB, numba's threading layer: PyInstaller collects ``libtbb.so.12`` into the bundle, where the
  dynamic loader does not look, so it is loaded by path first;
* kernels for this machine's CPU, opt-in with ``NNSTUDIO_NATIVE_KERNELS=1`` (untested in a built
  package): a window start compiles them in a low-priority background process; later starts use them;
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


def _native_marker() -> Path:
    """Written once kernels compiled for this machine's CPU are in the user's cache."""
    import platform

    from platformdirs import user_cache_dir

    root = os.environ.get("NNSTUDIO_CACHE_DIR") or user_cache_dir("nnstudio", appauthor=False)
    return Path(root) / f"native-{platform.node() or 'host'}-{_bundle_id()}"


def _bundle_id() -> str:
    """Changes with every build (the shipped cache's index files are new each time)."""
    index = sorted(SHIPPED_CACHE.rglob("*.nbi"))
    return str(int(max((f.stat().st_mtime for f in index), default=0)))


def _prepare_environment() -> bool:
    """Returns whether this start uses the generic (shipped) kernels."""
    os.environ.setdefault("NNSTUDIO_SHIPPED_CACHE", str(SHIPPED_CACHE))
    # The shipped kernels are compiled for a generic CPU (valid everywhere). `nnstudio bench` found
    # native ones within the noise of a busy machine (CNN: generic faster; MLP: native up to 1.2x),
    # so compiling them stays opt-in. NUMBA_CPU_NAME, if set, is the user's choice.
    generic = "NUMBA_CPU_NAME" not in os.environ and not (_native_wanted() and _native_marker_exists())
    if generic:
        os.environ["NUMBA_CPU_NAME"] = "generic"
    for name in ("libtbb.so.12", "libtbb.12.dylib", "tbb12.dll"):
        lib = BUNDLE / name
        if lib.exists():
            try:
                ctypes.CDLL(str(lib), mode=getattr(os, "RTLD_GLOBAL", 0))
            except OSError:
                pass  # numba falls back to OpenMP or its workqueue
            break
    return generic


def _native_wanted() -> bool:
    # opt-in for now: measured, but not yet tried in a built package (see packaging/README.md)
    return os.environ.get("NNSTUDIO_NATIVE_KERNELS", "0") == "1"


def _native_marker_exists() -> bool:
    try:
        return _native_marker().exists()
    except Exception:  # noqa: BLE001 - no marker readable: the shipped kernels are always valid
        return False


def _compile_native_in_background() -> None:
    """Start a low-priority process that compiles native kernels into the user's cache."""
    import subprocess

    if not _native_wanted():
        return
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CPU_NAME"}
    env["NNSTUDIO_BUILD_NATIVE"] = "1"
    try:
        subprocess.Popen([sys.executable], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True,
                         preexec_fn=(lambda: os.nice(19)) if hasattr(os, "nice") else None)
    except OSError:
        pass  # the generic kernels keep working


def _build_native() -> int:
    """(in the background process) Compile native float32 kernels, then leave the marker."""
    from nnstudio.engine.threads import warm_up

    warm_up()
    marker = _native_marker()
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.touch()
    return 0


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
    generic = _prepare_environment()
    if os.environ.get("NNSTUDIO_BUILD_CACHE") == "1":
        return _build_cache()
    if os.environ.get("NNSTUDIO_BUILD_NATIVE") == "1":
        return _build_native()
    first = sys.argv[1] if len(sys.argv) > 1 else ""
    if generic and not first.startswith("-") and first not in ("validate", "train", "runs", "bench", "export"):
        _compile_native_in_background()  # window starts only: a command line stays one process
    if os.environ.get("NNSTUDIO_SMOKE_TEST"):
        _smoke_test(os.environ["NNSTUDIO_SMOKE_TEST"])
    from nnstudio.__main__ import main as nnstudio_main

    return nnstudio_main()


if __name__ == "__main__":
    sys.exit(main())
