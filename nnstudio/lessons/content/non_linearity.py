"""Lesson 2: without a non-linear activation, stacked layers are one straight line."""
from __future__ import annotations

from nnstudio.io.project import Project
from nnstudio.lessons.changes import insert_after, remove_between, set_param
from nnstudio.lessons.model import Change, Lesson, Step


def _add_tanh(project: Project) -> Change:
    return Change(edit=insert_after(project, "Layer 1", "Activation", "tanh", function="tanh"))


def _remove_tanh(project: Project) -> Change:
    return Change(edit=remove_between(project, "tanh"))


def _relu(project: Project) -> Change:
    return Change(edit=set_param(project, "tanh", "function", "relu"))


LESSON = Lesson(
    id="non-linearity",
    number=2,
    title="Why networks need a bend",
    example="lesson-nonlinearity",
    paragraphs=(
        "A Dense layer multiplies its inputs by a matrix and adds a bias. Put a second one behind it and "
        "you multiply by a second matrix: the two together are still just one matrix and one bias. However "
        "many layers you stack, without anything in between the whole network can only draw a straight "
        "line through the plane.",
        "XOR is the classic pattern no straight line can split: the blue points sit in two opposite "
        "corners and the orange ones in the other two. This network has four Dense layers and no "
        "activation. Train it and look at the decision surface: one straight edge, and about half the "
        "points on the wrong side.",
        "An activation such as tanh bends each unit's output. With one bend after the first layer, the "
        "layers behind it can combine the bent pieces into a corner, then into the X shape XOR needs.",
    ),
    steps=(
        Step("Train the straight stack",
             "Four layers, no activation. The surface shows a single straight boundary and the accuracy "
             "stays near 0.5: no better than a coin.",
             look_at=("DecisionDock", "CurvesDock"), then="train"),
        Step("Put tanh after Layer 1",
             "One Activation node with tanh goes between Layer 1 and Layer 2, and training starts again. "
             "Watch the boundary curve round the corners; the accuracy climbs above 0.95.",
             look_at=("DecisionDock", "CurvesDock"), change=_add_tanh, then="train"),
        Step("Remove the activation",
             "Take the tanh out again and the network is back to one straight line, however long it trains.",
             look_at=("DecisionDock", "CurvesDock"), change=_remove_tanh, then="train"),
        Step("Put tanh back",
             "The bend is back after Layer 1 and the network solves XOR again. Compare the loss curve "
             "with the straight stack's: it falls instead of lying flat.",
             look_at=("DecisionDock", "CurvesDock"), change=_add_tanh, then="train"),
        Step("Switch the activation to ReLU",
             "ReLU keeps positive values and sets negative ones to zero: one kink per unit. It also solves "
             "XOR; the corners of the surface are sharper than with tanh.",
             look_at=("DecisionDock",), change=_relu, then="train"),
    ),
)
