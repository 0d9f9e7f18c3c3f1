"""The CSV import dialog, driven by real key presses and clicks; the preview and the dataset follow."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QComboBox, QDialogButtonBox, QFileDialog

import nnstudio as ns
from nnstudio.ui.panels.csv_dialog import ROLE_ROW, TYPE_ROW, CsvImportDialog
from nnstudio.ui.panels.data_panel import DataPanel


def choose(qtbot, combo: QComboBox, text: str) -> None:
    """Pick an entry with the arrow keys, as a keyboard user does."""
    combo.setFocus()
    target = combo.findText(text, Qt.MatchStartsWith)
    assert target >= 0, text
    key = Qt.Key_Down if target > combo.currentIndex() else Qt.Key_Up
    while combo.currentIndex() != target:
        qtbot.keyClick(combo, key)


def column(dlg: CsvImportDialog, name: str) -> int:
    return dlg.names.index(name)


@pytest.fixture
def people(tmp_path):
    p = tmp_path / "people.csv"
    rows = [f"P{i:04d}|Lee, {'AB'[i % 2]}|{20 + i % 30}|{1.5 + (i % 7) * 0.1:.1f}|{['yes', 'no'][i % 3 == 0]}"
            for i in range(300)]
    rows.insert(40, "P9999|Lee, A|old|1.7|yes")  # line 42: age is not a number
    rows.insert(80, "P9998|short")  # line 82: two values
    p.write_text("id|name|age|height|member\n" + "\n".join(rows) + "\n")
    return p


@pytest.fixture
def dialog(qtbot, people):
    dlg = CsvImportDialog(people)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    return dlg


def test_detected_delimiter_and_changing_it_by_key(dialog, qtbot):
    assert dialog.names == ["id", "name", "age", "height", "member"] and dialog.table.columnCount() == 5
    assert "found: pipe" in dialog.delimiter.currentText()
    choose(qtbot, dialog.delimiter, "comma")
    # the header has no comma: one column, which is no dataset; the table and the summary say so
    assert dialog.table.columnCount() == 1
    assert dialog.table.horizontalHeaderItem(0).text() == "id|name|age|height|member"
    assert dialog.table.item(2, 0).text() == "P0000|Lee"  # cut at the comma inside "Lee, A"
    assert "found only one column (delimiter ',')" in dialog.summary.text()
    choose(qtbot, dialog.delimiter, "pipe")
    assert dialog.table.columnCount() == 5 and dialog.table.item(2, 2).text() == "20"
    assert dialog.options()["delimiter"] == "|"


def test_ignore_and_target_roles_change_the_preview_and_the_dataset(dialog, qtbot):
    choose(qtbot, dialog.bad_rows, "drop")
    # the id column is an ID: 300 distinct values, refused as a category with advice
    assert dialog.dataset is None
    assert "column 'id' has 300 distinct values" in dialog.summary.text() and "ignore" in dialog.summary.text()
    assert not dialog.buttons.button(QDialogButtonBox.Ok).isEnabled()
    choose(qtbot, dialog.table.cellWidget(ROLE_ROW, column(dialog, "id")), "ignore")
    choose(qtbot, dialog.table.cellWidget(ROLE_ROW, column(dialog, "height")), "target")
    ds = dialog.dataset
    assert ds is not None and dialog.buttons.button(QDialogButtonBox.Ok).isEnabled()
    assert ds.spec["target"] == "height" and ds.spec["inputs"] == ["name", "age", "member"]
    assert ds.task == "regression"
    assert ds.input_shape == (2 + 1 + 2,)  # name=Lee, A / Lee, B, age, member=no / yes
    # only one target: member, the default target, became an input
    assert dialog.table.cellWidget(ROLE_ROW, column(dialog, "member")).currentText() == "input"
    # the ignored column is greyed and its type cannot be chosen
    assert not dialog.table.cellWidget(TYPE_ROW, column(dialog, "id")).isEnabled()
    grey = dialog.table.item(2, column(dialog, "id")).foreground().color()
    assert grey != dialog.table.item(2, column(dialog, "age")).foreground().color()
    # the options are those of ns.data.load_csv: the same call gives the same data
    again = ns.data.load_csv(dialog.path, **dialog.options())
    np.testing.assert_array_equal(again.X_train, ds.X_train)
    # making a number a category follows too
    choose(qtbot, dialog.table.cellWidget(TYPE_ROW, column(dialog, "age")), "category")
    # 20..49 and "old": as a category, line 42 is no longer a bad row
    assert dialog.dataset.input_shape == (2 + 31 + 2,) and dialog.bad_list.count() == 1
    assert dialog.options()["columns"] == {"id": "ignore", "age": "category"}


def test_bad_rows_stop_or_are_dropped_and_listed(dialog, qtbot):
    choose(qtbot, dialog.table.cellWidget(ROLE_ROW, column(dialog, "id")), "ignore")
    assert dialog.dataset is None
    assert "people.csv, line 42, column 'age': 'old' is not a number" in dialog.summary.text()
    assert dialog.bad_list.count() == 0
    choose(qtbot, dialog.bad_rows, "drop")
    assert dialog.dataset is not None and dialog.dataset.n == 300
    listed = [dialog.bad_list.item(i).text() for i in range(dialog.bad_list.count())]
    assert listed == ["line 42, column 'age': 'old' is not a number", "line 82 has 2 values but the header has 5"]
    assert dialog.bad_label.text() == "Bad rows dropped: 2"


def test_header_and_lines_to_skip_by_keys(qtbot, tmp_path):
    p = tmp_path / "iris.csv"
    p.write_text("6,4,setosa,versicolor,virginica\n" + "\n".join(
        f"{5 + i * 0.1:.1f},3.{i},1.{i},0.{i},{i % 3}" for i in range(6)) + "\n")
    dlg = CsvImportDialog(p)
    qtbot.addWidget(dlg)
    dlg.show()
    # the count line is recognised: one line skipped, no header
    assert dlg.skip.value() == 1 and not dlg.header.isChecked()
    assert dlg.table.verticalHeaderItem(2).text() == "line 2" and dlg.dataset.n == 6
    dlg.skip.setFocus()
    qtbot.keyClick(dlg.skip, Qt.Key_Down)
    assert dlg.table.verticalHeaderItem(2).text() == "line 1" and dlg.table.item(2, 2).text() == "setosa"
    qtbot.keyClick(dlg.skip, Qt.Key_Up)
    qtbot.mouseClick(dlg.header, Qt.LeftButton, pos=dlg.header.rect().center())
    assert dlg.header.isChecked() and dlg.names[0] == "5.0" and dlg.dataset.n == 5


def test_choosing_a_csv_in_the_data_panel_opens_the_dialog_and_loads_its_choice(qtbot, people, monkeypatch):
    panel = DataPanel()
    qtbot.addWidget(panel)
    panel.show()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(people), ""))
    seen = []

    def drive() -> None:
        dlg = QApplication.activeModalWidget()
        seen.append(dlg)
        choose(qtbot, dlg.table.cellWidget(ROLE_ROW, 0), "ignore")
        choose(qtbot, dlg.bad_rows, "drop")
        qtbot.mouseClick(dlg.buttons.button(QDialogButtonBox.Ok), Qt.LeftButton)

    QTimer.singleShot(50, drive)
    csv_item = panel.source.findText("CSV file...")
    panel.source.setCurrentIndex(csv_item - 1)
    panel.source.setFocus()
    qtbot.keyClick(panel.source, Qt.Key_Down)
    assert isinstance(seen[0], CsvImportDialog)
    ds = panel.dataset
    assert ds is not None and ds.spec["target"] == "member" and len(ds.skipped) == 2
    assert ds.spec["columns"] == {"id": "ignore"} and ds.spec["bad_rows"] == "drop" and ds.spec["delimiter"] == "|"
    # the preview table shows the file as it was read
    assert panel.table.horizontalHeaderItem(0).text() == "id" and panel.table.item(0, 2).text() == "20"
    # reopening the project reproduces the load
    again = ns.data.load_from_spec(ds.spec)
    np.testing.assert_array_equal(again.X_train, ds.X_train)

    # choosing the same file again opens the dialog as it was left
    def check_and_cancel() -> None:
        dlg = QApplication.activeModalWidget()
        seen.append((dlg.table.cellWidget(ROLE_ROW, 0).currentText(), dlg.bad_rows.currentData()))
        qtbot.mouseClick(dlg.buttons.button(QDialogButtonBox.Cancel), Qt.LeftButton)

    QTimer.singleShot(50, check_and_cancel)
    panel.source.setCurrentIndex(csv_item - 1)
    qtbot.keyClick(panel.source, Qt.Key_Down)
    assert seen[1] == ("ignore", "drop")
    assert panel.dataset is ds  # cancelled: the data stays


def test_a_saved_project_reopens_its_csv_with_the_import_options(window, people, tmp_path):
    from nnstudio.io import load_project

    options = {"delimiter": "|", "header": True, "skip_rows": 0, "bad_rows": "drop", "target": "member",
               "columns": {"id": "ignore"}}
    assert window.data_panel.load_file("csv", str(people), **options)
    first = window.data_panel.dataset
    path = tmp_path / "people.nnstudio"
    assert window._write(path)
    saved = load_project(path).data
    assert {k: saved[k] for k in options} == options and saved["path"] == "people.csv"
    window.data_panel.load_spec({"source": "toy", "name": "xor", "n": 40, "seed": 0, "val_ratio": 0.2})
    assert window.open_path(path, ask=False)
    again = window.data_panel.dataset
    assert again.spec["columns"] == {"id": "ignore"} and len(again.skipped) == 2
    np.testing.assert_array_equal(again.X_train, first.X_train)
