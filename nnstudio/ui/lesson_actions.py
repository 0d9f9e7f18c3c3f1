"""What a lesson's "try this" button does in the window: the change, then reset/train/step, then the views.

The graph edit goes on the window's undo stack (Ctrl+Z takes it back); training and data keys go
through the toolbar and the data panel as if the learner had typed them, so everything that follows
an edit by hand (stale plan, modified title, run records) follows these too.
"""
from __future__ import annotations

from typing import Any, Mapping

from PySide6.QtWidgets import QDockWidget

from nnstudio.lessons.model import Change, Step, changed_data, kept_weights
from nnstudio.ui.commands import push_edit
from nnstudio.ui.training_controller import WEIGHTS_TIMEOUT

# training keys the toolbar shows: set through its widgets (the others through the settings dict)
_TOOLBAR = {"lr": "lr", "optimizer": "optimizer", "batch_size": "batch", "epochs": "epochs"}


def set_training(window: Any, values: Mapping[str, Any]) -> None:
    tc = window.trainer
    for key, value in values.items():
        widget = getattr(tc, _TOOLBAR[key]) if key in _TOOLBAR else None
        if widget is None:
            window.project.training = {**tc.settings_dict(), key: value}
            tc._update(**{key: value})
        elif key == "optimizer":
            widget.setCurrentText(str(value))
        else:
            widget.setValue(value)


def set_data(window: Any, values: Mapping[str, Any]) -> bool:
    panel = window.data_panel
    return panel.load_spec(changed_data(panel.dataset.spec if panel.dataset is not None else window.project.data,
                                        values))


def make_change(window: Any, change: Change) -> None:
    """Make ``change`` in the window; a refused edit raises its NNStudioError (nothing is changed then)."""
    if change.edit is not None:
        push_edit(window.undo_stack, window.scene.graph, change.edit, getattr(change.edit, "text", None))
    if change.training:
        set_training(window, change.training)
    if change.data and not set_data(window, change.data):
        raise_data_error(window)


def raise_data_error(window: Any) -> None:
    from nnstudio.lessons.changes import LessonError

    raise LessonError(f"the data could not be changed: {window.data_panel.error.text()}")


def do_then(window: Any, then: str) -> None:
    """After the change: ``reset`` new weights, ``train`` reset and train, ``step`` one update."""
    tc = window.trainer
    if then in ("reset", "train"):
        if tc.session is not None and tc.session.state == "running":
            tc._call("pause")  # a reset while running, then Train, must not read as "pause"
        tc.reset_action.trigger()
    if then == "train":
        tc._control("start")
    elif then == "step":
        tc.step_action.trigger()


def dock_named(window: Any, name: str) -> QDockWidget | None:
    return window.findChild(QDockWidget, name)


def bring_views(window: Any, names: tuple[str, ...]) -> list[QDockWidget]:
    """Show the named views in front (in their slot, if they live in one); returns those shown.

    A slot shows one view: of two named views living in the same slot the first named is shown.
    """
    shown: list[QDockWidget] = []
    picker = window.view_picker
    for name in names:
        dock = dock_named(window, name)
        if dock is None:
            continue
        if dock in picker.views:
            if any(other in picker.slot_of(dock) for other in shown):
                continue
            picker.show_view(dock)
        else:
            dock.show()
            dock.raise_()
        shown.append(dock)
    return shown


def trained_weights(window: Any) -> dict[str, Any] | None:
    """What the network has learned in this window: the session's weights once it has trained
    (or loaded trained weights), else the project's saved ones; None if neither exists."""
    tc = window.trainer
    session = tc.session
    snap = session.latest_snapshot() if session is not None and session.alive else None
    if snap is not None and (snap.step > 0 or tc.has_weights):
        return session.weights(timeout=WEIGHTS_TIMEOUT)
    return window.project.weights


def run_step(window: Any, step: Step) -> None:
    """Everything the step's button stands for; raises NNStudioError if the change cannot be made."""
    window.project.training = window.trainer.settings_dict()
    kept = None
    if step.change is not None:
        change = step.change(window.project)
        kept = kept_weights(change, trained_weights(window) if change.keep_weights else None)
        make_change(window, change)
    if kept is not None:
        # the next session starts from these (the rest fresh): closing this one keeps its run in the
        # curves view, and the reset below then has nothing to re-initialise
        window.trainer.close_session(store=True)
        window.trainer.pending_weights = (window.project, kept)
    bring_views(window, step.look_at)
    do_then(window, step.then)
    if step.compare:  # after do_then: its reset files the run before this step's
        window.runs_panel.select_back(step.compare)
