"""The rules of the house: Qt only in ui/app, numba only in engine, layers respected."""
from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "nnstudio"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def rel(path: Path) -> str:
    return path.relative_to(PACKAGE.parent).as_posix()


def test_qt_only_in_ui_and_app():
    offenders = [
        rel(p) for p in PACKAGE.rglob("*.py")
        if imported_modules(p) & {"PySide6", "pyqtgraph", "shiboken6"}
        and not (rel(p).startswith("nnstudio/ui/") or rel(p) == "nnstudio/app.py")
    ]
    assert offenders == []


def test_numba_only_in_engine():
    offenders = [rel(p) for p in PACKAGE.rglob("*.py")
                 if "numba" in imported_modules(p) and not rel(p).startswith("nnstudio/engine/")]
    assert offenders == []


def test_core_imports_without_qt_or_numba():
    code = ("import sys, nnstudio, nnstudio.graph, nnstudio.io, nnstudio.cli; "
            "bad = [m for m in ('PySide6', 'pyqtgraph', 'numba') if m in sys.modules]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.skipif(shutil.which("lint-imports") is None and not (Path(sys.executable).parent / "lint-imports").exists(),
                    reason="import-linter is part of the test extra")
def test_import_linter_contracts():
    exe = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    result = subprocess.run([exe, "--no-cache"], cwd=PACKAGE.parent, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
