"""Lesson 8: networks learn correlations in their data, not rules - look far from the data."""
from __future__ import annotations

import numpy as np

from nnstudio.io.project import Project
from nnstudio.lessons.graph_recipes import set_everywhere
from nnstudio.lessons.model import Change, Lesson, Step


def spiral_rule(points: np.ndarray) -> np.ndarray:
    """The class the spiral's own rule gives a point anywhere in the plane, also beyond the data.

    The toy spiral puts arm ``c`` at angle ``3.5 pi r + c pi`` (measured from the x2 axis) at
    radius ``r``; a point belongs to the arm its angle is nearer to. On the generated data this
    rule agrees with the labels except where noise pushed a point across.
    """
    p = np.asarray(points, dtype=np.float64)
    r = np.hypot(p[:, 0], p[:, 1])
    offset = np.mod(np.arctan2(p[:, 0], p[:, 1]) - 3.5 * np.pi * r, 2 * np.pi)
    return ((offset > np.pi / 2) & (offset < 1.5 * np.pi)).astype(np.int64)


def tanh_units(project: Project) -> Change:
    return Change(edit=set_everywhere(project.graph, "Activation", "Use tanh", function="tanh"))


def circle_data(project: Project) -> Change:
    return Change(data={"name": "circle", "noise": 0.1})


LESSON = Lesson(
    id="correlations",
    number=8,
    title="Correlations, not rules",
    example="lesson-far-from-data",
    paragraphs=(
        "The two spiral arms follow a simple rule: each arm winds on around the centre, as far out as "
        "you like. The data only shows the arms out to a radius of one. Train the network; it gets "
        "almost every validation point right, so it seems to have understood the spiral.",
        "Now zoom out on the decision surface (scroll over it) to three times the data's size. Beyond "
        "the last points the arms would keep winding, but the network's colours do not: they run out in "
        "straight wedges, each one colour to the edge. Out there it is right about half the time - a "
        "coin flip - and it is 99% sure of every answer.",
        "The network never learned 'spiral'. It learned which colour goes with which part of the plane "
        "it was shown; outside that part nothing in the data says what to do, so it carries on with "
        "whatever its pieces happen to do. A network is only as good as the data it has seen: inputs "
        "unlike the training data get confident answers that can be plain wrong.",
    ),
    steps=(
        Step("Train, then zoom out on the decision surface",
             "Inside the data the border follows the arms; outside it breaks into straight wedges.",
             look_at=("DecisionDock", "CurvesDock"), then="train"),
        Step("Use tanh units", "Smooth units change the shapes near the data, but far out the answer "
             "still depends on the direction alone - straight wedges again, not the spiral.",
             look_at=("DecisionDock",), change=tanh_units, then="train"),
        Step("Switch to the circle", "Far out, the network calls everything 'ring' - correct this time, "
             "but only because 'far from the centre' went with 'ring' in the data it saw, not because it "
             "knows what a circle is.", look_at=("DecisionDock",), change=circle_data, then="train"),
    ),
)
