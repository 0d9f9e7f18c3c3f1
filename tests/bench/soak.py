"""Soak: train for a long time from the real window with every live view open; watch memory and latency.

Run: ``python tests/bench/soak.py [--minutes 30] [--report-every 60] [--project spiral] [--json]``
(not part of the test run). The window opens offscreen unless a display is set, every plot dock is
detached and visible, and training runs for the whole duration (restarted if it ever ends). Every
``--report-every`` seconds, and at the end, it prints:

* the process's resident memory (RSS) and its growth since the first report (after warm-up), and the
  growth per hour fitted over the reports - a leak shows as steady growth, not as the start-up step;
* UI latency p50/p99/max: how late a 10 ms GUI timer fires (what a click would wait), in that period;
* training steps and samples per second in that period, and the session's state.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

PROBE_MS = 10


def rss_mb() -> float:
    """Resident set size of this process in MiB (Linux /proc; falls back to the peak elsewhere)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=30.0)
    ap.add_argument("--report-every", type=float, default=60.0, help="seconds between reports")
    ap.add_argument("--project", default="spiral", help="example project (default spiral: every 2-D view draws)")
    ap.add_argument("--json", action="store_true", help="one JSON object per report")
    args = ap.parse_args(argv)

    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    from nnstudio.engine import warm_up
    from nnstudio.io import load_project, save_project
    from nnstudio.ui.main_window import MainWindow
    from nnstudio.ui.panels.gallery import example_paths

    warm_up()
    app = QApplication.instance() or QApplication([])
    app.setOrganizationName("nnstudio-soak")
    os.environ.setdefault("NNSTUDIO_DATA_DIR", tempfile.mkdtemp(prefix="nnstudio-soak-data-"))
    previous = qInstallMessageHandler(lambda *a: None)  # offscreen notes about floating docks
    path = next((p for p in example_paths() if p.stem == args.project), None)
    if path is None:
        raise SystemExit(f"no example {args.project!r}; try: " + ", ".join(p.stem for p in example_paths()))
    project = load_project(path)
    project.training = {**project.training, "epochs": 1_000_000}
    copy = Path(tempfile.mkdtemp(prefix="nnstudio-soak-")) / path.name
    save_project(project, copy)

    window = MainWindow()
    window._ask_save = lambda: "discard"
    window.resize(1440, 900)
    window.show()
    window.open_path(copy, ask=False)
    window.all_views = True
    for dock in window.plot_docks:
        dock.setFloating(True)
        dock.resize(480, 360)
        dock.show()
    app.processEvents()
    tc = window.trainer

    def run_loop(ms: float) -> None:
        loop = QEventLoop()
        QTimer.singleShot(int(ms), loop.quit)
        loop.exec()

    lateness: list[float] = []
    clock = QElapsedTimer()
    probe = QTimer()
    probe.setInterval(PROBE_MS)

    def tick() -> None:
        lateness.append(max(0.0, clock.nsecsElapsed() / 1e6 - PROBE_MS))
        clock.restart()

    probe.timeout.connect(tick)
    tc.train_action.trigger()
    while tc.session is None or tc.session.latest_snapshot() is None or tc.session.latest_snapshot().step < 1:
        run_loop(50)
    run_loop(3000)  # warm-up: the first draws, the CPU average of the start
    clock.start()
    probe.start()
    t_start = time.perf_counter()
    end = t_start + args.minutes * 60
    reports: list[dict[str, Any]] = []
    last_step, last_t = tc.session.latest_snapshot().step, t_start
    while True:
        now = time.perf_counter()
        run_loop(max(1.0, min(args.report_every, end - now) * 1000))
        s = tc.session
        snap = s.latest_snapshot()
        if snap.state in ("finished", "stopped", "paused", "error", "diverged"):
            tc.train_action.trigger()  # keep it training for the whole soak
        now = time.perf_counter()
        lat = np.asarray(lateness or [0.0])
        lateness.clear()
        steps = snap.step - last_step
        r = {"elapsed_s": round(now - t_start, 1), "rss_mb": round(rss_mb(), 1),
             "ui_latency_p50_ms": round(float(np.percentile(lat, 50)), 2),
             "ui_latency_p99_ms": round(float(np.percentile(lat, 99)), 2),
             "ui_latency_max_ms": round(float(lat.max()), 1),
             "steps": int(steps), "samples_per_s": round(steps * s.settings.batch_size / max(1e-9, now - last_t)),
             "state": snap.state, "epoch": snap.epoch}
        last_step, last_t = snap.step, now
        r["rss_growth_mb"] = round(r["rss_mb"] - reports[0]["rss_mb"], 1) if reports else 0.0
        reports.append(r)
        if args.json:
            print(json.dumps(r), flush=True)
        else:
            print(f"{r['elapsed_s']:>7.0f} s  RSS {r['rss_mb']:7.1f} MiB ({r['rss_growth_mb']:+.1f})  "
                  f"UI latency p50 {r['ui_latency_p50_ms']:5.1f} ms  p99 {r['ui_latency_p99_ms']:6.1f} ms  "
                  f"max {r['ui_latency_max_ms']:6.0f} ms  {r['samples_per_s']:>9,} samples/s  "
                  f"epoch {r['epoch']}  {r['state']}", flush=True)
        if now >= end:
            break
    probe.stop()
    tc.close_session(store=False)
    window.close()
    window.deleteLater()
    app.processEvents()
    qInstallMessageHandler(previous)

    t = np.array([r["elapsed_s"] for r in reports]) / 3600
    rss = np.array([r["rss_mb"] for r in reports])
    slope = float(np.polyfit(t, rss, 1)[0]) if len(reports) >= 3 else float("nan")
    summary = {"minutes": args.minutes, "project": args.project, "reports": len(reports),
               "rss_start_mb": round(float(rss[0]), 1), "rss_end_mb": round(float(rss[-1]), 1),
               "rss_growth_mb": round(float(rss[-1] - rss[0]), 1), "rss_growth_mb_per_hour_fit": round(slope, 1),
               "ui_latency_p50_ms_median": float(np.median([r["ui_latency_p50_ms"] for r in reports])),
               "ui_latency_p99_ms_worst": float(max(r["ui_latency_p99_ms"] for r in reports)),
               "samples_per_s_median": float(np.median([r["samples_per_s"] for r in reports]))}
    if args.json:
        print(json.dumps({"summary": summary}))
    else:
        print("summary: " + ", ".join(f"{k} {v}" for k, v in summary.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
