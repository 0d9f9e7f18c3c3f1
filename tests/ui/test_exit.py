"""The interpreter exits cleanly after the main window and every plot dock have lived in it.

PySide6 6.12.0 aborts here ("bool_dealloc" in the final garbage collection), which is why
pyproject.toml excludes that release; this test catches such a regression in any Qt binding.
"""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    from nnstudio.ui.main_window import MainWindow
    from nnstudio.ui.plots import catalog
    w = MainWindow()
    w.show()
    # a second copy of every dock, never deleted explicitly
    extra = [v.cls(w) if v.takes_window else v.cls() for v in catalog.VIEWS if v.plot]
    for d in extra:
        d.show()
    app.processEvents()
    print("built", len(extra))
""")


def test_interpreter_exits_cleanly_with_window_and_docks_alive():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    run = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=120,
                         check=False)
    assert "built" in run.stdout, run.stderr[-2000:]
    assert run.returncode == 0, run.stderr[-2000:]
