"""Every shortcut of the window maps to exactly one action; both usual redo keys redo."""
from __future__ import annotations

from collections import defaultdict

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtTest import QTest


def shortcut_owners(window) -> dict[str, list[str]]:
    """Each key sequence -> the actions and shortcuts that claim it (in the window and all its children)."""
    owners: dict[str, list[str]] = defaultdict(list)
    for action in window.findChildren(QAction):
        for seq in action.shortcuts():
            if not seq.isEmpty():
                owners[seq.toString(QKeySequence.PortableText)].append(action.text().replace("&", "") or
                                                                       action.objectName())
    for shortcut in window.findChildren(QShortcut):
        for seq in shortcut.keys():
            if not seq.isEmpty():
                owners[seq.toString(QKeySequence.PortableText)].append(f"QShortcut {shortcut.objectName()}")
    return owners


def test_every_shortcut_has_exactly_one_action(window):
    owners = shortcut_owners(window)
    assert "Ctrl+Y" in owners and "Ctrl+Shift+Z" in owners and "Ctrl+S" in owners
    clashes = {keys: names for keys, names in owners.items() if len(names) > 1}
    assert not clashes, clashes


def test_shortcut_list_shows_every_key_once(window):
    rows = window.shortcut_rows()
    keys = [k for _, k in rows if "drag" not in k and "wheel" not in k.lower()]
    flat = [part.strip() for k in keys for part in k.split(",")]
    assert len(flat) == len(set(flat)), flat
    assert dict(rows)["Redo"] == "Ctrl+Y, Ctrl+Shift+Z"


def test_ctrl_y_and_ctrl_shift_z_redo_an_edit(window, qtbot):
    tree = window.palette_panel.tree
    item = window.palette_panel.items["Dense"]
    tree.scrollToItem(item)
    centre = tree.visualItemRect(item).center()
    QTest.mouseClick(tree.viewport(), Qt.LeftButton, Qt.NoModifier, centre)
    QTest.mouseDClick(tree.viewport(), Qt.LeftButton, Qt.NoModifier, centre)
    assert [n.kind for n in window.project.graph.nodes.values()] == ["Dense"]
    window.view.setFocus()
    for redo in ((Qt.Key_Y, Qt.ControlModifier), (Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)):
        QTest.keyClick(window.view.viewport(), Qt.Key_Z, Qt.ControlModifier)
        assert not window.project.graph.nodes
        QTest.keyClick(window.view.viewport(), *redo)
        assert [n.kind for n in window.project.graph.nodes.values()] == ["Dense"], redo
