"""Lesson 3: layers build features on features - a digits CNN's first filters become stroke detectors."""
from __future__ import annotations

from nnstudio.io.project import Project
from nnstudio.lessons.graph_recipes import EditBuilder, in_order
from nnstudio.lessons.model import Change, Lesson, Step


def no_weight_decay(project: Project) -> Change:
    return Change(training={"l2": 0.0})


def small_filters(project: Project) -> Change:
    """The first convolution looks through 3x3 windows instead of 5x5."""
    b = EditBuilder(project.graph)
    first = in_order(project.graph, "Conv2D")[0]
    b.set(first, "kernel_size", 3)
    b.set(first, "padding", 1)
    return Change(edit=b.macro("First convolution: 3x3 filters"))


LESSON = Lesson(
    id="hierarchy",
    number=3,
    title="Features on features",
    example="lesson-hierarchy",
    paragraphs=(
        "A convolution layer slides small grids of weights - filters - over the image. Each filter "
        "answers one question everywhere at once: 'is my pattern here?'. This network has eight 5x5 "
        "filters in its first layer, then a second convolution that looks at the first layer's "
        "answers, then a Dense layer that decides which digit it is.",
        "Before training the filters are random speckle. Train, and open 'Weights' (it shows the "
        "first convolution's filters as tiles): the speckle turns into smooth bars and edges - a bright "
        "band next to a dark one, at some angle. Those are stroke detectors: pieces of pen strokes "
        "are what every handwritten digit is made of.",
        "The second layer never sees pixels: it combines stroke answers into corners, loops and "
        "crossings, and the Dense layer combines those into digits. 'Feature maps' shows, for one "
        "example, where each filter found its stroke. Nobody told the network about strokes; they "
        "are simply the most useful first step it found.",
    ),
    steps=(
        Step("Train and watch the filters",
             "The filter tiles start as noise and, within a few epochs, become smooth oriented strokes.",
             look_at=("WeightsDock", "FeatureMapsDock"), then="train"),
        Step("Turn weight decay off", "Weight decay (L2) slowly shrinks every weight, so the random "
             "start fades and only what the data keeps pushing for remains. Without it the strokes are "
             "still there, but buried in the starting speckle.",
             look_at=("WeightsDock",), change=no_weight_decay, then="train"),
        Step("Use 3x3 filters in the first layer", "A 3x3 window holds only a tiny piece of a stroke: "
             "each tile can hold little more than one edge or a dot. Press Ctrl+Z to go back to 5x5.",
             look_at=("WeightsDock", "FeatureMapsDock"), change=small_filters, then="train"),
    ),
)
