"""``nnstudio bench gui``: does the window stay responsive while it trains, and what does drawing cost?

The same example project trains headless (a bare Session, half the time before and half after)
and from a real MainWindow with every plot view detached and visible, for the same wall-clock
time (after a settling time in which the window's start-up cost leaves the GUI thread's CPU
average). Reported:

* ``ui_latency_p50_ms`` / ``ui_latency_p99_ms`` - how late a 10 ms GUI timer fires while training
  runs (the time a click or key press can wait before the window reacts);
* ``gui_samples_per_s`` / ``headless_samples_per_s`` and ``gui_to_headless_ratio`` - training
  throughput with the live views against without them;
* where the difference goes: ``snapshot_share`` (the training thread's time building the views'
  snapshots) and ``gui_cpu_share`` (the GUI thread's CPU time: drawing, painting, events), both as
  shares of the wall-clock time.
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any, Sequence

import numpy as np

PROBE_MS = 10
SETTLE_WINDOWS = 2  # training runs this many CPU-average windows before the measurement starts


def _project(name: str, epochs: int) -> tuple[Any, Path]:
    from nnstudio.io import load_project
    from nnstudio.ui.panels.gallery import example_paths

    path = next((p for p in example_paths() if p.stem == name), None)
    if path is None:
        raise SystemExit(f"no example called {name!r}; try one of: " + ", ".join(p.stem for p in example_paths()))
    project = load_project(path)
    project.training = {**project.training, "epochs": epochs}
    return project, path


def _samples_per_s(step0: int, step1: int, batch: int, seconds: float) -> float:
    return (step1 - step0) * batch / seconds


def headless(name: str, seconds: float, epochs: int) -> float:
    """Samples per second of a bare training session (no window, no views)."""
    from nnstudio.training import Session

    project, path = _project(name, epochs)
    session = Session.from_project(project, path.parent)
    try:
        session.step(1)  # compile and warm up before the clock starts
        session.wait(("paused",))
        start_step = session.latest_snapshot().step
        t0 = time.perf_counter()
        session.start()
        time.sleep(seconds)
        session.pause()
        elapsed = time.perf_counter() - t0
        session.wait(("paused",))
        return _samples_per_s(start_step, session.latest_snapshot().step, session.settings.batch_size, elapsed)
    finally:
        session.close()


def with_window(name: str, seconds: float, epochs: int) -> dict[str, float]:
    """Train from a real main window with every view visible; probe the event loop meanwhile."""
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    from nnstudio.io import save_project
    from nnstudio.ui.main_window import MainWindow
    from nnstudio.ui.training_controller import CPU_WINDOW

    app = QApplication.instance() or QApplication([])
    # The offscreen platform cannot raise or size floating windows and says so for every dock.
    previous = qInstallMessageHandler(lambda *args: None)
    project, path = _project(name, epochs)
    folder = Path(tempfile.mkdtemp(prefix="nnstudio-bench-"))
    copy = folder / path.name
    save_project(project, copy)
    window = MainWindow()
    window._ask_save = lambda: "discard"  # nothing to keep from a benchmark
    window.resize(1440, 900)
    window.show()
    window.open_path(copy, ask=False)
    window.all_views = True
    for dock in window.plot_docks:  # every view visible at once, as a user with a big screen would have it
        dock.setFloating(True)
        dock.resize(480, 360)
        dock.show()
    app.processEvents()
    tc = window.trainer

    def run_loop(ms: float) -> None:
        loop = QEventLoop()
        QTimer.singleShot(int(ms), loop.quit)
        loop.exec()

    tc.step_action.trigger()  # compile and warm up
    deadline = time.perf_counter() + 120
    while (tc.session is None or tc.session.latest_snapshot() is None
           or tc.session.latest_snapshot().step < 1) and time.perf_counter() < deadline:
        run_loop(20)
    run_loop(300)  # let the first snapshot be drawn
    lateness: list[float] = []
    clock = QElapsedTimer()
    probe = QTimer()
    probe.setInterval(PROBE_MS)

    def tick() -> None:
        lateness.append(max(0.0, clock.nsecsElapsed() / 1e6 - PROBE_MS))
        clock.restart()

    probe.timeout.connect(tick)
    tc.train_action.trigger()
    # Measure the steady state: the GUI thread's CPU average (over about CPU_WINDOW) still holds
    # the cost of building the window, and holds the views back until it has decayed.
    run_loop(SETTLE_WINDOWS * CPU_WINDOW * 1000)
    start_step = tc.session.latest_snapshot().step
    draws0 = sum(d.draws for d in window.plot_docks)
    snapshot0, cpu0 = tc.session.snapshot_seconds, time.thread_time()
    t0 = time.perf_counter()
    clock.start()
    probe.start()
    run_loop(seconds * 1000)
    tc.session.pause()
    elapsed = time.perf_counter() - t0
    gui_cpu = time.thread_time() - cpu0
    probe.stop()
    tc.session.wait(("paused",))
    snapshot_seconds = tc.session.snapshot_seconds - snapshot0
    steps = tc.session.latest_snapshot().step
    batch = tc.session.settings.batch_size
    draws = sum(d.draws for d in window.plot_docks) - draws0
    tc.close_session(store=False)
    window.close()
    window.deleteLater()
    app.processEvents()
    qInstallMessageHandler(previous)
    lat = np.asarray(lateness[1:] or [0.0])
    return {
        "gui_samples_per_s": _samples_per_s(start_step, steps, batch, elapsed),
        "ui_latency_p50_ms": float(np.percentile(lat, 50)),
        "ui_latency_p99_ms": float(np.percentile(lat, 99)),
        "ui_latency_max_ms": float(lat.max()),
        "view_redraws_per_s": draws / elapsed,
        "snapshot_share": snapshot_seconds / elapsed,
        "gui_cpu_share": gui_cpu / elapsed,
    }


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="nnstudio bench gui", description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", default="digits-mlp", help="example project to train (default digits-mlp)")
    parser.add_argument("--seconds", type=float, default=8.0, help="training time of each measurement")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(list(argv))
    from nnstudio.engine import warm_up

    warm_up()
    epochs = 100_000  # never finishes within the measurement
    result: dict[str, Any] = {"project": args.project, "seconds": args.seconds}
    # Headless runs bracket the window run so that clock drift and thermal changes of the machine
    # fall on both sides of the ratio alike.
    before = headless(args.project, args.seconds / 2, epochs)
    result.update(with_window(args.project, args.seconds, epochs))
    after = headless(args.project, args.seconds / 2, epochs)
    result["headless_samples_per_s"] = (before + after) / 2
    result["gui_to_headless_ratio"] = result["gui_samples_per_s"] / result["headless_samples_per_s"]
    if args.json:
        print(json.dumps(result))
    else:
        print(f"GUI benchmark: {args.project}, {args.seconds:g} s of training each, every view visible")
        print(f"  headless           {result['headless_samples_per_s']:>12,.0f} samples/s")
        print(f"  from the window    {result['gui_samples_per_s']:>12,.0f} samples/s"
              f"   ratio {result['gui_to_headless_ratio']:.2f} (target >= 0.95)")
        print(f"  view redraws       {result['view_redraws_per_s']:>12.1f} per s (all views together)")
        print(f"  costs              snapshots {result['snapshot_share']:.1%} of the training thread,"
              f" GUI thread {result['gui_cpu_share']:.1%} of a core")
        print(f"  UI latency         p50 {result['ui_latency_p50_ms']:.1f} ms, p99 {result['ui_latency_p99_ms']:.1f} ms,"
              f" max {result['ui_latency_max_ms']:.1f} ms (target p99 < 16 ms)")
    return 0
