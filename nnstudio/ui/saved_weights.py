"""Trained weights between the window's session and the project: loading, saving, importing.

The training controller calls these; they only talk to its session, its project and its
status signals, so the toolbar code stays about training.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from nnstudio.engine import kernels_ready
from nnstudio.errors import NNStudioError
from nnstudio.io import ImportReport, import_weights


def weights_loaded(controller: Any, trainer: Any) -> None:
    """A session was just built from the project's saved weights: say what the network is now."""
    project = controller.host.project()
    controller.has_weights = True
    resumed = bool(project.optimizer) and "epoch" in project.optimizer
    controller.weights_note = "trained weights loaded" if resumed else "trained weights loaded, fresh optimizer"
    controller.note_step = trainer.step_count
    where = (f"epoch {trainer.epoch}, step {trainer.step_count:,}" if resumed
             else "no optimizer state was saved, so the optimizer starts fresh")
    notes = "; ".join(trainer.resume_notes)
    controller.message.emit(f"The network is trained: weights loaded from the project ({where}). "
                            "Press Train to continue." + (f" Note: {notes}." if notes else ""))


def weights_for_saving(controller: Any) -> tuple[Any, Any] | None:
    """``(weights, optimizer state)`` of the session for the project file, or None to keep the project's.

    An untouched session (fresh random weights, or reset) saves none; a network edited since the
    session began keeps the tensors of nodes that still exist (a misfit is dropped, and said so,
    when the file opens) but not the optimizer state, which the next Train starts afresh anyway.
    """
    session = controller.session
    if session is None or session.state == "error":
        return None
    try:
        weights, state = session.saved_state()
    except NNStudioError as exc:  # a worker that does not answer must not stop the save
        controller.message.emit(f"The session's weights could not be copied ({exc}); the file keeps the "
                                "weights saved before")
        return None
    if not all(np.isfinite(t).all() for tensors in weights.values() for t in tensors.values()):
        controller.message.emit("The weights are not finite (training diverged); the file keeps the weights "
                                "saved before")
        return None
    if int(state.get("steps", 0)) == 0 and not controller.has_weights:
        return None, None
    if controller.stale:
        graph = controller.host.project().graph
        return {nid: t for nid, t in weights.items() if nid in graph.nodes}, None
    return weights, state


def import_into(controller: Any, path: Path) -> ImportReport:
    """Match ``path``'s tensors to the host's network, apply them and mark the project modified.

    Raises ProjectFileError when the file cannot be read. The matched weights go into the running
    session (and its views) when one can be built now, else into the project for the next Train.
    """
    report = import_weights(controller.host.project().graph, path)
    if not report.weights:
        return report
    if kernels_ready() and controller.ensure_session():
        controller.session.load_weights(report.weights)
    else:  # no session yet (data missing, the engine still compiling): they wait in the project
        project = controller.host.project()
        merged = {nid: dict(t) for nid, t in (project.weights or {}).items()}
        for nid, tensors in report.weights.items():
            merged.setdefault(nid, {}).update(tensors)
        project.weights, project.optimizer = merged, None
    controller.has_weights = True
    controller.weights_note = f"weights imported from {path.name}"
    snap = controller.session.latest_snapshot() if controller.session is not None else None
    controller.note_step = snap.step if snap is not None else 0
    controller.host.mark_modified()
    controller.message.emit(report.summary())
    return report
