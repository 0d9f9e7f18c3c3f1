"""The data panel's sources and forms come from the registry; sequence data preview as curves or text."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from nnstudio.data import sources
from nnstudio.ui.panels.data_panel import DataPanel, source_entries
from nnstudio.ui.panels.sequence_preview import render_tokens
from tests.ui.conftest import shown


@pytest.fixture
def panel(qtbot):
    return shown(qtbot, DataPanel(), 460, 720)


def choose(qtbot, combo, data) -> None:
    """Walk the list with the arrow keys to the entry whose data is ``data`` (as a keyboard user)."""
    combo.setFocus()
    target = next(i for i in range(combo.count()) if combo.itemData(i) == data)
    key = Qt.Key_Down if target > combo.currentIndex() else Qt.Key_Up
    while combo.currentIndex() != target:
        qtbot.keyClick(combo, key)


def type_into(qtbot, spin, value) -> None:
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, str(value))
    qtbot.keyClick(spin, Qt.Key_Return)


def visible_rows(panel) -> set[str]:
    return {f"{src}.{key}" for (src, key), w in panel.param_widgets.items() if not w.isHidden()}


def test_the_source_list_is_the_registry(panel):
    entries = [panel.source.itemData(i) for i in range(panel.source.count())]
    assert entries == [data for _label, data in source_entries()]
    for src in sources.SOURCES.values():
        if src.variants:
            assert all((src.name, v.value) in entries for v in src.variants)
        else:
            assert (src.name, None) in entries
    assert panel.source.findText("CSV time series (windows)...") >= 0


def test_choosing_the_adding_problem_shows_its_form_and_curves(qtbot, panel):
    choose(qtbot, panel.source, ("sequence", "adding"))
    ds = panel.dataset
    assert ds.spec["task"] == "adding" and ds.input_shape == (50, 2)
    length = panel.param_widgets[("sequence", "length")]
    assert length.value() == 50  # the problem's own default
    assert visible_rows(panel) == {"sequence.n", "sequence.length", "sequence.noise"}
    assert panel.n.isHidden() and not panel.features["x1"].isVisible()
    assert panel.preview.currentWidget() is panel.sequences
    seq = panel.sequences
    assert seq.stack.currentWidget() is seq.plot and "Dots mark the two values" in seq.caption.text()
    items = seq.plot.getPlotItem().listDataItems()
    lines = [i for i in items if i.opts["pen"] is not None]
    stars = [i for i in items if i.opts["symbol"] == "star"]
    assert len(lines) == 3 and len(stars) == 3
    x, y = stars[0].getData()
    assert x[0] == 50 and y[0] == pytest.approx(float(ds.y_train[0, 0]))
    np.testing.assert_allclose(lines[0].getData()[1], ds.X_train[0, :, 0])
    type_into(qtbot, length, 12)
    assert panel.dataset.input_shape == (12, 2) and panel.dataset.spec["length"] == 12


def test_copy_shows_the_tokens_row_and_the_samples_as_text(qtbot, panel):
    choose(qtbot, panel.source, ("sequence", "copy"))
    assert "sequence.vocab" in visible_rows(panel)
    type_into(qtbot, panel.param_widgets[("sequence", "vocab")], 5)
    ds = panel.dataset
    assert ds.n_classes == 5 and ds.X_train.max() == 4
    text = panel.sequences.text.toPlainText().splitlines()
    assert len(text) == 8 and panel.sequences.stack.currentWidget() is panel.sequences.text
    first = " ".join(str(int(v)) for v in ds.X_train[0])
    assert text[0] == f"{first} \u2192 {first}"  # copy: the target repeats the input


def test_text_samples_read_as_text(qtbot, panel):
    choose(qtbot, panel.source, ("sequence", "text"))
    ds = panel.dataset
    window = "".join(ds.class_names[int(i)] for i in ds.X_train[0])
    line = panel.sequences.text.toPlainText().splitlines()[0]
    assert line == f"{window} \u2192 {ds.class_names[ds.y_train[0]]!r}"
    assert "next character" in panel.sequences.caption.text()


def test_a_project_spec_selects_its_entry_and_fills_its_rows(qtbot, panel):
    assert panel.load_spec({"source": "sequence", "task": "parity", "n": 300, "length": 11, "seed": 4})
    assert panel.source.currentData() == ("sequence", "parity")
    assert panel.param_widgets[("sequence", "length")].value() == 11
    assert panel.param_widgets[("sequence", "n")].value() == 300 and panel.seed.value() == 4
    assert panel.sequences.text.toPlainText().splitlines()[0].endswith(("even", "odd"))
    # back to a toy problem: its rows again, the sequence rows hidden
    choose(qtbot, panel.source, ("toy", "circle"))
    assert visible_rows(panel) == {"toy.n", "toy.noise", "toy.features"}
    assert panel.preview.currentWidget() is panel.plot and panel.dataset.spec["name"] == "circle"


def test_csv_windows_load_through_the_file_dialog(qtbot, panel, tmp_path, monkeypatch):
    f = tmp_path / "level.csv"
    f.write_text("day,level\n" + "\n".join(f"{d},{np.sin(d / 5):.4f}" for d in range(120)) + "\n")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(f), ""))
    monkeypatch.setattr(DataPanel, "ask_csv_options", staticmethod(
        lambda path, same, parent: {"delimiter": ",", "header": True, "skip_rows": 0, "bad_rows": "error",
                                    "target": "level", "columns": {"day": "ignore"}}))
    choose(qtbot, panel.source, ("csv_windows", None))
    ds = panel.dataset
    assert ds is not None, panel.error.text()
    assert ds.spec["inputs"] == ["level"] and ds.input_shape == (20, 1) and ds.spec["window"] == 20
    assert visible_rows(panel) == {"csv_windows.window", "csv_windows.horizon"}
    assert panel.sequences.stack.currentWidget() is panel.sequences.plot
    type_into(qtbot, panel.param_widgets[("csv_windows", "window")], 8)
    assert panel.dataset.input_shape == (8, 1) and panel.dataset.spec["path"] == str(f)


def test_render_tokens():
    assert render_tokens(np.array([2.0, 0.0, 1.0]), ["a", "b", "c"]) == "cab"
    assert render_tokens(np.array([[1.0], [0.0]]), ["even", "odd"]) == "1 0"
    assert render_tokens(np.array([7.0]), ["a", "b"]) == "7"  # out of range: the number


def test_a_choice_row_offers_its_values_and_reloads_with_the_chosen_one(qtbot, panel):
    choose(qtbot, panel.source, ("digits", None))
    assert visible_rows(panel) == {"digits.labels", "digits.part", "digits.per_class", "digits.page", "digits.copies"}
    question = panel.param_widgets[("digits", "labels")]
    assert [question.itemText(i) for i in range(question.count())] == ["digit", "odd or even"]
    question.setFocus()
    qtbot.keyClick(question, Qt.Key_Down)
    assert panel.dataset.class_names == ["even", "odd"] and panel.dataset.spec["labels"] == "odd or even"
    type_into(qtbot, panel.param_widgets[("digits", "per_class")], 20)
    assert len(panel.dataset.X_train) + len(panel.dataset.X_val) == 200
    # a project's description fills the row; an unknown value shows the default and says what was wrong
    assert panel.load_spec({"source": "digits", "labels": "digit", "per_class": 5})
    assert question.currentText() == "digit" and panel.dataset.n_classes == 10
    assert not panel.load_spec({"source": "digits", "labels": "prime"})
    assert "labels must be one of" in panel.error.text() and question.currentText() == "digit"
    # digits anywhere on a bigger page: typed into the rows, the images grow and the count follows
    assert panel.load_spec({"source": "digits", "part": "second half", "per_class": 5})
    type_into(qtbot, panel.param_widgets[("digits", "page")], 16)
    type_into(qtbot, panel.param_widgets[("digits", "copies")], 3)
    ds = panel.dataset
    assert ds.spec["page"] == 16 and ds.spec["copies"] == 3 and ds.X_train.shape[1:] == (1, 16, 16)
    assert len(ds.X_train) + len(ds.X_val) == 150


def test_the_word_corpus_previews_its_pairs_as_words(qtbot, panel):
    # (the arrow keys would pass the file sources, whose entries open a file dialog)
    assert panel.load_spec({"source": "words", "n": 20, "seed": 0, "val_ratio": 0.2})
    assert panel.source.currentData() == ("words", None) and visible_rows(panel) == {"words.n"}
    type_into(qtbot, panel.param_widgets[("words", "n")], 60)
    ds = panel.dataset
    assert ds.spec["source"] == "words" and ds.spec["n"] == 60 and ds.n == 300
    assert panel.preview.currentWidget() is panel.table
    t = panel.table
    assert [t.horizontalHeaderItem(j).text() for j in range(t.columnCount())] == ["word", "appears with"]
    for i in range(t.rowCount()):
        assert t.item(i, 0).text() == ds.class_names[int(ds.X_train[i, 0])]
        assert t.item(i, 1).text() == ds.class_names[int(ds.y_train[i])]
    assert "words - 300 samples of 1" in panel.summary.text() and f"{len(ds.class_names)} classes" in panel.summary.text()
