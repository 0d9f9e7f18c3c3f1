"""The project's own error types.

Everything a user can cause (a bad file, an invalid graph, a malformed CSV)
raises a subclass of :class:`NNStudioError` whose message is meant to be shown
as is: it names the problem and, where possible, what to do about it.
"""
from __future__ import annotations


class NNStudioError(Exception):
    """Base class of errors whose message is shown to the user verbatim."""


class GraphError(NNStudioError):
    """An edit or query the graph cannot carry out (unknown kind, bad port...)."""


class ShapeError(NNStudioError):
    """A node cannot accept the shapes it is given."""


class ProjectFileError(NNStudioError):
    """A project file cannot be read (corrupt, truncated, newer format...)."""


class ExportError(NNStudioError):
    """A network cannot be exported (invalid graph, missing weights, unwritable output...)."""


class DataError(NNStudioError):
    """A dataset cannot be generated or loaded (bad rows, unreadable file...)."""


class CompileError(NNStudioError):
    """A graph cannot be compiled into a plan (it is invalid)."""


class TrainingError(NNStudioError):
    """A training session cannot continue."""
