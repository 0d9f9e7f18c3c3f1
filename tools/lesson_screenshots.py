"""Render every lesson's panel beside its example into ``docs/screenshots/lesson-<id>.png`` (1280x800).

Run: ``QT_QPA_PLATFORM=offscreen python tools/lesson_screenshots.py [--out DIR] [ids...]``

Each lesson is opened as a learner opens it (its example as an untitled copy, the panel in front)
in a fresh window of 1280x800 in the default layout. Then its first steps are pressed as a learner
would: every leading "step" step, or the steps up to the first that trains, and the run is left to
finish (or diverge) so the views show the lesson's phenomenon. A lesson that looks at the Neuron
numbers gets its first Neuron selected first, and its first weight clicked.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QSettings, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from screenshots import fresh_window, pump  # noqa: E402

from nnstudio.lessons import all_lessons  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
SIZE = (1280, 800)


def settle(window, timeout: float = 90.0) -> None:
    """Wait until training is not running any more (finished, diverged, paused) or ``timeout`` passed."""
    tc = window.trainer
    deadline = time.monotonic() + timeout
    pump(300)
    while time.monotonic() < deadline:
        if tc._deferred is None and (tc.session is None or tc.session.state != "running"):
            break
        pump(100)
    if tc.session is not None and tc.session.state == "running":
        tc.toggle()
    pump(900)  # the views catch up with the last snapshot


def steps_to_press(lesson) -> list:
    """The leading single steps, or the steps up to and including the first that trains."""
    out = []
    for step in lesson.steps:
        if step.then == "step":
            out.append(step)
            continue
        if out:  # after single steps: stop here, their numbers are what the lesson is about
            break
        out.append(step)
        if step.then == "train":
            break
    return out


def render(lesson, out: Path, press: list[str] | None = None, suffix: str = "") -> Path:
    window = fresh_window()
    window.resize(*SIZE)
    window.reset_layout()
    pump(300)
    assert window.open_lesson(lesson.id, ask=False), lesson.id
    pump(300)
    panel = window.lesson_dock.panel
    if any("NeuronDock" in s.look_at for s in lesson.steps):
        # the hidden neurons first: the lessons' texts start there
        neurons = sorted((n for n in window.project.graph.nodes.values() if n.kind == "Neuron"),
                         key=lambda n: (not n.name.startswith("Hidden"), n.name))
        neurons = [n.id for n in neurons]
        if neurons:
            window.scene.set_selection([neurons[0]])
            pump(100)
    chosen = ([next(s for s in lesson.steps if s.label.startswith(p)) for p in press] if press
              else steps_to_press(lesson))
    for step in chosen:
        row = next(r for r in panel.rows if r.step is step)
        panel.press(row)
        settle(window)
    if window.neuron_dock.isVisible() and window.neuron_dock.stories:
        window.neuron_dock._choose(0)
        pump(100)
    window.lesson_dock.present()
    window.fit_readable()
    pump(400)
    path = out / f"lesson-{lesson.id}{'-' + suffix if suffix else ''}.png"
    window.grab().save(str(path))
    window.trainer.close_session(store=False)
    window.close()
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--press", action="append", metavar="LABEL",
                        help="press the steps whose labels start so, in order (default: the first ones)")
    parser.add_argument("--suffix", default="", help="added to the file name: lesson-<id>-<suffix>.png")
    parser.add_argument("ids", nargs="*", help="only these lessons (default: all)")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    qInstallMessageHandler(lambda *a: None)
    folder = Path(tempfile.mkdtemp(prefix="nnstudio-lesson-shots-"))
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(folder / "settings"))
    args.out.mkdir(parents=True, exist_ok=True)
    for lesson in all_lessons():
        if args.ids and lesson.id not in args.ids:
            continue
        print("wrote", render(lesson, args.out, args.press, args.suffix), flush=True)
    app.processEvents()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
