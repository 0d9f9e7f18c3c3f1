"""Undo commands: each wraps one reversible graph edit; only the model is touched."""
from __future__ import annotations

from typing import Any

from PySide6.QtGui import QUndoCommand, QUndoStack

from nnstudio.graph import Edit, Graph


class EditCommand(QUndoCommand):
    """Applies a graph :class:`~nnstudio.graph.Edit` on redo and reverts it on undo.

    ``already_applied`` marks an edit that ran before the push (so a refused edit
    raises before it ever reaches the stack); the stack's first redo then skips it.
    """

    def __init__(self, graph: Graph, edit: Edit, text: str | None = None, already_applied: bool = False) -> None:
        super().__init__(text or getattr(edit, "text", "Edit"))
        self.graph = graph
        self.edit = edit
        self.result: Any = None
        self._skip_redo = already_applied

    def redo(self) -> None:
        if self._skip_redo:
            self._skip_redo = False
            return
        self.result = self.edit.apply(self.graph)

    def undo(self) -> None:
        self.edit.revert(self.graph)


def push_edit(stack: QUndoStack, graph: Graph, edit: Edit, text: str | None = None) -> Any:
    """Apply ``edit`` and put it on the undo stack; returns what the edit returned (e.g. a new id)."""
    result = edit.apply(graph)
    cmd = EditCommand(graph, edit, text, already_applied=True)
    cmd.result = result
    stack.push(cmd)
    return result
