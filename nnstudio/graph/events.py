"""Plain-Python events the graph emits after every change.

Views (the canvas, the inspector) subscribe and follow the model; they never
learn about changes any other way. Names are past tense.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable


@dataclass(frozen=True)
class Event:
    """Base class; ``name`` is the snake_case event name, e.g. ``node_added``."""

    @property
    def name(self) -> str:
        cls = type(self).__name__
        return "".join("_" + c.lower() if c.isupper() else c for c in cls).lstrip("_")


@dataclass(frozen=True)
class NodeAdded(Event):
    node_id: str


@dataclass(frozen=True)
class NodeRemoved(Event):
    node_id: str


@dataclass(frozen=True)
class EdgeAdded(Event):
    edge_id: str


@dataclass(frozen=True)
class EdgeRemoved(Event):
    edge_id: str
    src: str
    dst: str


@dataclass(frozen=True)
class ParamChanged(Event):
    node_id: str
    param: str
    old: Any
    new: Any


@dataclass(frozen=True)
class NodeMoved(Event):
    node_id: str
    old: tuple[float, float]
    new: tuple[float, float]


@dataclass(frozen=True)
class NodeRenamed(Event):
    node_id: str
    old: str
    new: str


@dataclass(frozen=True)
class GroupChanged(Event):
    group_id: str


Listener = Callable[[Event], Any]


class EventHub:
    """A list of listeners called in order with each event."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Add a listener; returns a function that removes it again."""
        self._listeners.append(listener)
        return lambda: self.unsubscribe(listener)

    def unsubscribe(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def emit(self, event: Event) -> None:
        for listener in list(self._listeners):
            listener(event)
