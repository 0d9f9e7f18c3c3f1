"""Lesson 9: learned representations - a hidden layer rearranges the data until the classes separate."""
from __future__ import annotations

from nnstudio.lessons.model import Lesson, Step

#: the example's two-unit layer whose activations the projection shows
REPRESENTATION = "Representation"

LESSON = Lesson(
    id="representations",
    number=9,
    title="Learned representations",
    example="lesson-representations",
    paragraphs=(
        "In the input plane the two spiral arms are wound into each other: no straight line, and no "
        "simple squeeze, pulls them apart. This network has two wide ReLU layers and then a layer of "
        "just two tanh units, named Representation, which everything must pass through before the "
        "last layer decides (the projection shows that layer unless you pick another).",
        "The view 'Hidden representation' places every validation example by what a hidden layer "
        "makes of it (squeezed to two dimensions), coloured by class. Before training the two colours "
        "lie mixed, as in the input. Train and watch: the layers learn to unwind the spiral, and in "
        "the Representation layer the two classes move to opposite sides - a new description of "
        "the points in which the task has become easy.",
        "Nobody told the network what to put in that layer; it found a description that makes the "
        "answer simple. The same happens with words: an Embedding layer trained to guess which words "
        "appear together places 'king' and 'queen', 'man' and 'woman' so that the step from man to "
        "woman is the same as from king to queen (the lessons' tests check exactly that "
        "king - man + woman lands next to queen).",
    ),
    steps=(
        Step("Look before training", "New random weights and one tiny step, so the views have something to "
             "show: in the projection the two colours lie mixed together.", look_at=("ProjectionDock",),
             then="step"),
        Step("Train and watch the classes part",
             "Within a few dozen epochs the colours gather at opposite ends of the Representation layer.",
             look_at=("ProjectionDock", "DecisionDock"), then="train"),
        Step("Compare an earlier layer", "Pick Activation 1 in the projection's layer list: "
             "there the arms are still partly mixed. The representation is built step by step, layer "
             "on layer.", look_at=("ProjectionDock",)),
    ),
)
