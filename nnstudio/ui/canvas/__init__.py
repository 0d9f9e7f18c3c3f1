"""The node-graph canvas: a scene that follows the graph model and a view with the editing actions."""
from nnstudio.ui.canvas.scene import KIND_MIME, GraphScene
from nnstudio.ui.canvas.view import GraphView

__all__ = ["GraphScene", "GraphView", "KIND_MIME"]
