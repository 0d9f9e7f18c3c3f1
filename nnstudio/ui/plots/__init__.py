"""Live plot docks fed by training snapshots (drawn from a GUI timer, never from the worker)."""
from nnstudio.ui.plots.banner import DivergenceBanner
from nnstudio.ui.plots.base import PlotDock
from nnstudio.ui.plots.classes import ConfusionDock, FeatureMapsDock, ProjectionDock
from nnstudio.ui.plots.curves import CurvesDock
from nnstudio.ui.plots.decision import DecisionDock
from nnstudio.ui.plots.layers import ActivationsDock, GradNormsDock, HistogramsDock
from nnstudio.ui.plots.runs_panel import RunsPanel
from nnstudio.ui.plots.sequences import AttentionDock, HiddenStateDock, TimeGradDock
from nnstudio.ui.plots.weights import WeightsDock
from nnstudio.ui.plots.words import WordVectorsDock

from nnstudio.ui.plots import catalog  # noqa: E402 (the one list of views: catalog.VIEWS)

#: the snapshot-fed dock classes, from the one list of views (catalog.VIEWS)
ALL_DOCKS = tuple(v.cls for v in catalog.VIEWS if v.plot)

__all__ = ["catalog", "PlotDock", "DivergenceBanner", "RunsPanel", "ALL_DOCKS", "CurvesDock", "DecisionDock",
           "GradNormsDock", "HistogramsDock", "ActivationsDock", "WeightsDock", "ConfusionDock", "ProjectionDock", "FeatureMapsDock",
           "HiddenStateDock", "TimeGradDock", "AttentionDock", "WordVectorsDock"]
