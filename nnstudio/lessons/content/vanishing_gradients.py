"""Lesson 4: depth has costs - vanishing gradients in a deep sigmoid stack, and three fixes."""
from __future__ import annotations

from nnstudio.io.project import Project
from nnstudio.lessons.graph_recipes import EditBuilder, in_order
from nnstudio.lessons.model import Change, Lesson, Step


def relu_and_he(project: Project) -> Change:
    """Every sigmoid becomes a ReLU and every Dense layer starts from He initialisation."""
    b = EditBuilder(project.graph)
    for nid in in_order(project.graph, "Activation"):
        b.set(nid, "function", "relu")
    for nid in in_order(project.graph, "Dense"):
        b.set(nid, "init", "he")
    return Change(edit=b.macro("Use ReLU and He initialisation"))


def batchnorm(project: Project) -> Change:
    """A BatchNorm between each hidden Dense layer and its sigmoid."""
    b = EditBuilder(project.graph)
    for nid in in_order(project.graph, "Dense")[:-1]:  # not after the output layer
        b.insert_after(nid, "BatchNorm")
    return Change(edit=b.macro("Add BatchNorm after each hidden Dense"))


def skip_connections(project: Project) -> Change:
    """Residual blocks: an Add after each inner Dense layer joins in what entered the block.

    The chain ``Dense 1 -> sigmoid -> Dense 2 -> sigmoid -> ...`` becomes a stream
    ``h = Dense 1(x)``, ``h = h + Dense k(sigmoid(h))``: the stream is a straight wire from the
    last layers back to the first, so the gradient reaches them without passing every sigmoid.
    """
    g = project.graph
    b = EditBuilder(g)
    dense = in_order(g, "Dense")
    stream = dense[0]
    for nid in dense[1:-1]:
        add = b.insert_after(nid, "Add")
        b.connect(stream, add)
        stream = add
    return Change(edit=b.macro("Add skip connections"))


LESSON = Lesson(
    id="vanishing-gradients",
    number=4,
    title="Deep nets and vanishing gradients",
    example="lesson-vanishing-gradients",
    paragraphs=(
        "This network is ten Dense layers deep, each followed by a sigmoid, on a problem a single "
        "straight line could solve: two clouds of points. Deeper should be more powerful - yet "
        "press Train and watch the loss: it sits at about 0.69, the loss of a coin flip, and the "
        "decision surface stays one flat colour.",
        "Backpropagation hands the error back layer by layer, and at each sigmoid it is multiplied "
        "by the sigmoid's slope, which is at most 0.25. Ten such factors in a row shrink it a "
        "million-fold. The first layers get almost no signal, so they keep their random weights, "
        "and everything after them learns from noise.",
        "The view 'Gradient size per layer' shows this directly: one bar per layer on a log scale, "
        "input side on the left. Here the first bars are five to six orders of magnitude "
        "shorter than the last. Each step below repairs it a different way; Ctrl+Z takes a step back so "
        "you can compare.",
    ),
    steps=(
        Step("Train the deep sigmoid stack",
             "Watch the loss stay flat near 0.69 and the gradient bars fall steeply towards the input.",
             look_at=("GradNormsDock", "CurvesDock"), then="train"),
        Step("Use ReLU and He initialisation", "ReLU's slope is 1 wherever it is active, and He "
             "initialisation sizes the weights so signals keep their strength through the layers. The "
             "gradient bars even out and the loss drops.",
             look_at=("GradNormsDock", "CurvesDock"), change=relu_and_he, then="train"),
        Step("Undo that, then add BatchNorm", "Press Ctrl+Z first. BatchNorm rescales each layer's "
             "inputs to the sigmoid's steep middle part and rescales the gradient on the way back: the "
             "sigmoids stay, yet the bars level out and the network learns.",
             look_at=("GradNormsDock", "CurvesDock"), change=batchnorm, then="train"),
        Step("Undo that, then add skip connections", "Press Ctrl+Z first. Each Add node passes a "
             "block's input straight on and adds the block's result to it, so the gradient has a path "
             "back to the first layer that never goes through a sigmoid.",
             look_at=("GradNormsDock", "CurvesDock"), change=skip_connections, then="train"),
    ),
)
