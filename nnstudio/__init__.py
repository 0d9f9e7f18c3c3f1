"""nnstudio: build neural networks on a node canvas and watch them learn.

The scripting API mirrors what the app does::

    import nnstudio as ns
    g = ns.Graph()
    x = g.add("Input", shape=[2])
    h = g.add("Dense", units=8)
    g.connect(x, h)

Heavy parts (the numba engine, Qt) are imported only when first used.
"""
from __future__ import annotations

from nnstudio._version import __version__

from nnstudio.errors import NNStudioError
from nnstudio.graph import Graph, Problem, kinds

__all__ = ["Graph", "Problem", "NNStudioError", "kinds", "__version__"]


def __getattr__(name: str):  # lazy: keep `import nnstudio` free of numba
    if name in ("Project", "save_project", "load_project", "import_weights", "ImportReport"):
        from nnstudio import io

        return getattr(io, name)
    if name == "compile":
        from nnstudio.engine import compile as _compile

        return _compile
    if name == "data":
        import importlib

        return importlib.import_module("nnstudio.data")
    raise AttributeError(f"module 'nnstudio' has no attribute {name!r}")
