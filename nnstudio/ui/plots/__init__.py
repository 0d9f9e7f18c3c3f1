"""Live plot docks fed by training snapshots (drawn from a GUI timer, never from the worker)."""
from nnstudio.ui.plots.banner import DivergenceBanner
from nnstudio.ui.plots.base import PlotDock
from nnstudio.ui.plots.classes import ConfusionDock, FeatureMapsDock, ProjectionDock
from nnstudio.ui.plots.curves import CurvesDock
from nnstudio.ui.plots.decision import DecisionDock
from nnstudio.ui.plots.layers import ActivationsDock, GradNormsDock, HistogramsDock
from nnstudio.ui.plots.runs_panel import RunsPanel
from nnstudio.ui.plots.weights import WeightsDock

ALL_DOCKS = (CurvesDock, DecisionDock, GradNormsDock, HistogramsDock, ActivationsDock, WeightsDock, ConfusionDock,
             ProjectionDock, FeatureMapsDock)

__all__ = ["PlotDock", "DivergenceBanner", "RunsPanel", "ALL_DOCKS", "CurvesDock", "DecisionDock", "GradNormsDock",
           "HistogramsDock", "ActivationsDock", "WeightsDock", "ConfusionDock", "ProjectionDock", "FeatureMapsDock"]
