"""The README's ```python blocks run as written, so the documented API stays true.

The blocks run in order in one namespace (a later block may use what an earlier
one made), in a temporary folder holding the files of tests/fixtures/readme.
An expression statement whose line ends in a comment that is a Python literal
(``g.infer_shapes()[h]  # (16,)``, or ``# (16, 2): what it means``) must give
that value. Every project a block saves must be valid for its own data.
"""
from __future__ import annotations

import ast
import io
import os
import re
import shutil
import tokenize
import traceback
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
FIXTURES = Path(__file__).parent / "fixtures" / "readme"
FENCE = re.compile(r"^```(python|py)\s*$")


def python_blocks(text: str) -> list[tuple[int, str]]:
    """(1-based line of the block's first code line, code) for each ```python block."""
    blocks, lines = [], text.splitlines()
    i = 0
    while i < len(lines):
        if FENCE.match(lines[i].strip()):
            start, body = i + 2, []
            i += 1
            while i < len(lines) and lines[i].strip() != "```":
                body.append(lines[i])
                i += 1
            blocks.append((start, "\n".join(body) + "\n"))
        i += 1
    return blocks


def expected_value(line: str) -> tuple[bool, Any]:
    """The literal a trailing comment promises, if it is one (alone or before ': ' / ' - ')."""
    try:
        comments = [t.string for t in tokenize.generate_tokens(io.StringIO(line).readline)
                    if t.type == tokenize.COMMENT]
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return False, None
    if not comments:
        return False, None
    text = comments[-1].lstrip("#").strip()
    for candidate in (text, re.split(r":\s| - ", text, maxsplit=1)[0]):
        try:
            return True, ast.literal_eval(candidate)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
    return False, None


def run_block(code: str, first_line: int, namespace: dict[str, Any]) -> None:
    """Execute statement by statement; check expressions against their promised values."""
    tree = ast.parse(code, filename=f"README.md:{first_line}")
    lines = code.splitlines()
    for stmt in tree.body:
        where = f"README.md:{first_line + stmt.lineno - 1}"
        if isinstance(stmt, ast.Expr):
            value = eval(compile(ast.Expression(stmt.value), where, "eval"), namespace)
            has, promised = expected_value(lines[stmt.end_lineno - 1])
            if has and not _same(value, promised):
                raise AssertionError(f"{where}: {ast.unparse(stmt)} gives {value!r}, the README says {promised!r}")
        else:
            exec(compile(ast.Module([stmt], type_ignores=[]), where, "exec"), namespace)


def _same(value: Any, promised: Any) -> bool:
    try:
        import numpy as np

        if isinstance(value, np.ndarray):
            return value.tolist() == promised
    except ImportError:  # pragma: no cover
        pass
    return value == promised or (isinstance(value, tuple) and list(value) == promised)


BLOCKS = python_blocks(README.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def readme_run(tmp_path_factory) -> dict[str, Any]:
    """Run every block once, in order; per block, the traceback of its failure (or None)."""
    folder = tmp_path_factory.mktemp("readme")
    if FIXTURES.is_dir():
        for f in FIXTURES.iterdir():
            shutil.copy(f, folder / f.name)
    namespace: dict[str, Any] = {"__name__": "__readme__"}
    failures: dict[int, str | None] = {}
    old = os.getcwd()
    os.chdir(folder)
    try:
        for line, code in BLOCKS:
            try:
                run_block(code, line, namespace)
                failures[line] = None
            except Exception:  # the test of this block reports it
                failures[line] = traceback.format_exc(limit=-3)
    finally:
        os.chdir(old)
    return {"folder": folder, "failures": failures}


def test_the_readme_has_python_blocks():
    assert len(BLOCKS) >= 2


@pytest.mark.parametrize("line", [line for line, _ in BLOCKS], ids=[f"README.md:{line}" for line, _ in BLOCKS])
def test_readme_block_runs(readme_run, line):
    failure = readme_run["failures"][line]
    assert failure is None, failure


def test_projects_the_readme_saves_are_valid_for_their_data(readme_run):
    from nnstudio.io import load_project
    from nnstudio.training.project import trainer_for_project

    for path in sorted(readme_run["folder"].rglob("*.nnstudio")):
        trainer_for_project(load_project(path), path.parent)  # raises, naming the problem, when invalid


def test_promised_values_are_checked():
    ns: dict[str, Any] = {}
    run_block("x = [1, 2]\nlen(x)  # 2\nx  # [1, 2]: the list\n", 1, ns)
    with pytest.raises(AssertionError, match="README.md:2: len\\(x\\) gives 2, the README says 3"):
        run_block("x = [1, 2]\nlen(x)  # 3\n", 1, ns)
    assert python_blocks("a\n```python\nx = 1\n```\n```sh\nls\n```\n") == [(3, "x = 1\n")]
