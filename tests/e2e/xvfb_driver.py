"""Starts the real app (``nnstudio.app.run_gui``) on an X display and drives it with real X input.

Run by ``test_app_xvfb.py`` as ``python xvfb_driver.py PROJECT``. The app is the one users start;
this script only adds a timer that reads where widgets are on screen and moves the X pointer and
keyboard with ``xdotool`` (events go through the X server exactly as a user's would). The script:

1. drags Input, Dense and Output from the palette onto the canvas,
2. wires Input -> Dense and Dense -> Output by dragging from output port to input port,
3. presses Ctrl+S, then Ctrl+Q.

The exit code is the app's. If a step does not take effect in time, the reason goes to stderr and
the app exits with code 3.
"""
from __future__ import annotations

import subprocess
import sys
import time
from typing import Any, Callable, Iterator

from PySide6.QtCore import QPoint, QTimer
from PySide6.QtWidgets import QApplication

STEP_TIMEOUT = 20.0
KINDS = ("Input", "Dense", "Output")


def xdotool(*args: str) -> subprocess.Popen:
    return subprocess.Popen(["xdotool", *args])


def drag(a: QPoint, b: QPoint) -> subprocess.Popen:
    """Press at a, move in steps past the drag threshold, release at b (all real X events)."""
    return xdotool("mousemove", str(a.x()), str(a.y()), "sleep", "0.2", "mousedown", "1", "sleep", "0.2",
                   "mousemove", str(a.x() + 12), str(a.y() + 6), "sleep", "0.2",
                   "mousemove", str((a.x() + b.x()) // 2), str((a.y() + b.y()) // 2), "sleep", "0.2",
                   "mousemove", str(b.x()), str(b.y()), "sleep", "0.2",
                   "mousemove", str(b.x() + 1), str(b.y()), "sleep", "0.3", "mouseup", "1")


class Driver:
    def __init__(self, app: QApplication) -> None:
        self.app = app
        self.window: Any = None
        self.steps = self.script()
        self.waiting: Callable[[], bool] | None = None
        self.deadline = 0.0
        self.what = ""
        self.timer = QTimer(interval=100)
        self.timer.timeout.connect(self.tick)
        self.timer.start()

    def fail(self, message: str) -> None:
        print(f"xvfb driver: {message}", file=sys.stderr, flush=True)
        if self.window is not None:  # what the app had at that moment, for whoever reads the failure
            g = self.window.project.graph
            print("nodes:", [(n.kind, n.pos) for n in g.nodes.values()], file=sys.stderr)
            print("edges:", [(e.src, e.dst) for e in g.edges.values()], file=sys.stderr)
            print("status:", self.window.statusBar().currentMessage(), file=sys.stderr, flush=True)
        self.timer.stop()
        self.app.exit(3)

    def tick(self) -> None:
        if self.waiting is not None:
            if not self.waiting():
                if time.monotonic() > self.deadline:
                    self.fail(f"timed out waiting for: {self.what}")
                return
            self.waiting = None
        try:
            what, condition = next(self.steps)
        except StopIteration:
            self.timer.stop()
            return
        except Exception as exc:  # a broken step must end the run, not hang it
            self.fail(f"{type(exc).__name__}: {exc}")
            return
        self.what, self.waiting, self.deadline = what, condition, time.monotonic() + STEP_TIMEOUT

    def main_window(self) -> Any:
        from nnstudio.ui.main_window import MainWindow

        return next((w for w in self.app.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()), None)

    def script(self) -> Iterator[tuple[str, Callable[[], bool]]]:
        yield "the main window on screen", lambda: self.main_window() is not None
        w = self.window = self.main_window()
        yield "the window settled", self.after(1.0)
        # the window manager, the task switcher and the dock read the icon from this X property
        icon = subprocess.run(["xprop", "-id", str(int(w.winId())), "_NET_WM_ICON"], capture_output=True, text=True)
        if "not found" in icon.stdout or "Icon (" not in icon.stdout:
            self.fail(f"the window has no icon: {icon.stdout.strip() or icon.stderr.strip()}")
        graph = w.project.graph
        viewport = w.view.viewport()
        for i, kind in enumerate(KINDS):
            item = w.palette_panel.items[kind]
            tree = w.palette_panel.tree
            tree.scrollToItem(item)
            yield "the palette scrolled", self.after(0.3)
            start = tree.viewport().mapToGlobal(tree.visualItemRect(item).center())
            target = viewport.mapToGlobal(QPoint(int(viewport.width() * (0.1 + 0.4 * i)), viewport.height() // 2))
            proc = drag(start, target)
            count = len(graph.nodes)
            yield f"a {kind} node dropped on the canvas", lambda c=count, k=kind, p=proc: (
                p.poll() is not None and len(graph.nodes) == c + 1
                and list(graph.nodes.values())[-1].kind == k)
        ids = {n.kind: n.id for n in graph.nodes.values()}
        for src, dst in (("Input", "Dense"), ("Dense", "Output")):
            out_port = w.scene.node_item(ids[src]).out_port
            in_port = w.scene.node_item(ids[dst]).in_port
            a = viewport.mapToGlobal(w.view.mapFromScene(out_port.scenePos()))
            b = viewport.mapToGlobal(w.view.mapFromScene(in_port.scenePos()))
            print(f"wire {src}->{dst}: {a.x()},{a.y()} -> {b.x()},{b.y()}", file=sys.stderr, flush=True)
            proc = drag(a, b)
            yield f"a wire from {src} to {dst}", lambda s=ids[src], d=ids[dst], p=proc: (
                p.poll() is not None and any(e.src == s and e.dst == d for e in graph.edges.values()))
        # keyboard focus follows the pointer on a bare X server: rest it on the canvas, then save
        empty = viewport.mapToGlobal(QPoint(viewport.width() // 2, viewport.height() - 30))
        proc = xdotool("mousemove", str(empty.x()), str(empty.y()), "sleep", "0.3", "key", "ctrl+s")
        yield "Ctrl+S to save", lambda p=proc: p.poll() is not None and not w.modified
        xdotool("key", "ctrl+q")
        yield "the app to quit", lambda: False  # the app exits; no further step

    @staticmethod
    def after(seconds: float) -> Callable[[], bool]:
        until = time.monotonic() + seconds
        return lambda: time.monotonic() >= until


def main(argv: list[str]) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    driver = Driver(app)  # noqa: F841 - keeps the timer alive while the app runs
    from nnstudio.app import run_gui

    return run_gui(argv)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
