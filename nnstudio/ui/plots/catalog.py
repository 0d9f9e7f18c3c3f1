"""Every live view in one list: its dock class, window attribute, default slot, icon and when it applies.

The main window builds its view docks from :data:`VIEWS`; the layout puts them in their slots from it
(``"upper"``: training over time, left column under the palette; ``"lower"``: the network and its
answers, right column under the data); the view picker lists the views that apply to the present
data and network; after a data change a slot showing a view that no longer applies (or the view
chosen automatically) switches to the slot's first ``auto`` view that applies. Adding a view is one
:class:`View` line here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from nnstudio.ui.plots.classes import ConfusionDock, FeatureMapsDock, ProjectionDock
from nnstudio.ui.plots.curves import CurvesDock
from nnstudio.ui.plots.decision import DecisionDock
from nnstudio.ui.plots.layers import ActivationsDock, GradNormsDock, HistogramsDock
from nnstudio.ui.plots.neuron_numbers import NeuronDock
from nnstudio.ui.plots.runs_panel import RunsPanel
from nnstudio.graph import kinds
from nnstudio.ui.plots.sequences import AttentionDock, HiddenStateDock, TimeGradDock
from nnstudio.ui.plots.weights import WeightsDock
from nnstudio.ui.plots.words import WordVectorsDock

SLOTS = ("upper", "lower")


def always(dataset: Any, graph: Any) -> bool:
    return True


def two_d_inputs(dataset: Any, graph: Any) -> bool:
    """A plane of 2-D points to shade (the toy problems); unknown data counts as yes."""
    return dataset is None or getattr(dataset, "points_train", None) is not None


def one_class_per_sample(dataset: Any, graph: Any) -> bool:
    return dataset is None or (dataset.task == "classification" and getattr(dataset.y_train, "ndim", 1) == 1)


def has_kinds(*kinds: str) -> Callable[[Any, Any], bool]:
    """Applies when the graph has a node of one of ``kinds``."""
    def applies(dataset: Any, graph: Any) -> bool:
        nodes = getattr(graph, "nodes", None) or {}
        return any(getattr(n, "kind", None) in kinds for n in nodes.values())
    applies.__doc__ = f"the graph has a {' or '.join(kinds)} node"
    return applies


def for_kinds(view: str) -> Callable[[Any, Any], bool]:
    """Applies when the graph has a node whose kind lists ``view`` among its views (the kind registry)."""
    return has_kinds(*kinds.showing(view))


@dataclass(frozen=True)
class View:
    """One live view."""

    cls: type
    attr: str  # the window attribute holding the dock ("curves_dock")
    slot: str  # "upper" or "lower"
    plot: bool = True  # fed training snapshots (the runs table is not)
    applies: Callable[[Any, Any], bool] = always  # (dataset, graph) -> whether the view means something
    auto: bool = False  # the window may choose it by itself after a data change
    icon: str = "runs"  # the picture in the view picker (a kind view_picker._draw_icon draws)
    takes_window: bool = False  # the dock is made as cls(window): it reads the window's selection


VIEWS: list[View] = [
    View(CurvesDock, "curves_dock", "upper", auto=True, icon="curves"),
    View(DecisionDock, "decision_dock", "lower", applies=two_d_inputs, auto=True, icon="decision"),
    View(GradNormsDock, "grad_dock", "upper", icon="bars"),
    View(HistogramsDock, "hist_dock", "upper", icon="heat"),
    View(ActivationsDock, "act_dock", "upper", icon="bell"),
    View(WeightsDock, "weights_dock", "lower", auto=True, icon="tiles"),
    View(ConfusionDock, "confusion_dock", "lower", applies=one_class_per_sample, icon="matrix"),
    View(ProjectionDock, "projection_dock", "lower", icon="scatter"),
    View(NeuronDock, "neuron_dock", "lower", applies=for_kinds("NeuronDock"), icon="tiles", takes_window=True),
    View(FeatureMapsDock, "maps_dock", "lower", icon="maps"),  # explains itself when the network has no convolution
    View(WordVectorsDock, "word_vectors_dock", "lower", applies=for_kinds("WordVectorsDock"), icon="scatter"),
    View(HiddenStateDock, "hidden_state_dock", "lower", applies=for_kinds("HiddenStateDock"), icon="heat"),
    View(TimeGradDock, "time_grad_dock", "lower", applies=for_kinds("TimeGradDock"), icon="curves"),
    View(AttentionDock, "attention_dock", "lower", applies=for_kinds("AttentionDock"), icon="matrix"),
    View(RunsPanel, "runs_panel", "upper", plot=False, icon="runs"),
]


def register(view: View, before: str | None = None) -> None:
    """Add a view (before the one whose ``attr`` is ``before``, else at the end)."""
    index = next((i for i, v in enumerate(VIEWS) if v.attr == before), len(VIEWS))
    VIEWS.insert(index, view)


def build(window: Any) -> None:
    """Create every view dock as ``window.<attr>``, and ``window.plot_docks`` (the snapshot-fed ones)."""
    for v in VIEWS:
        setattr(window, v.attr, v.cls(window) if v.takes_window else v.cls())
    window.plot_docks = [getattr(window, v.attr) for v in VIEWS if v.plot]


def slot_docks(window: Any) -> list[list[Any]]:
    """The docks of each slot in :data:`SLOTS` order; the first of each is shown at first start."""
    return [[getattr(window, v.attr) for v in VIEWS if v.slot == s] for s in SLOTS]


def view_of(window: Any, dock: Any) -> View | None:
    return next((v for v in VIEWS if getattr(window, v.attr, None) is dock), None)


def applies(window: Any, dock: Any, dataset: Any, graph: Any) -> bool:
    """Whether ``dock`` means something for this data and network (unknown docks always do)."""
    v = view_of(window, dock)
    try:
        return v is None or bool(v.applies(dataset, graph))
    except Exception:  # a view's rule must never break the window: show the view
        return True


def suited(window: Any, slot: list[Any], shown: Any, dataset: Any, graph: Any) -> Any:
    """The dock a slot should show after a data change: ``shown`` unless it no longer applies or was
    chosen automatically, else the slot's first ``auto`` view that applies (``shown`` if none does)."""
    v = view_of(window, shown)
    if v is not None and not v.auto and applies(window, shown, dataset, graph):
        return shown
    for dock in slot:
        cand = view_of(window, dock)
        if cand is not None and cand.auto and applies(window, dock, dataset, graph):
            return dock
    return shown


__all__ = ["View", "VIEWS", "SLOTS", "register", "build", "slot_docks", "applies", "suited", "has_kinds",
           "two_d_inputs", "one_class_per_sample", "always"]
