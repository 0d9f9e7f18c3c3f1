"""Lesson 10: architectures suit problems - convolution for images, transfer of trained parts."""
from __future__ import annotations

from nnstudio.io.project import Project
from nnstudio.lessons.graph_recipes import EditBuilder, in_order
from nnstudio.lessons.model import Change, Lesson, Step

#: the plain network the "replace the convolutions" step builds: one hidden layer of this many units
MLP_UNITS = 64


def replace_convolutions(project: Project) -> Change:
    """Input -> Flatten -> Dense(64) -> ReLU -> the old head: the same job without convolutions."""
    g = project.graph
    b = EditBuilder(g)
    (inp,), (flatten,) = in_order(g, "Input"), in_order(g, "Flatten")
    order = g.topological_order()
    between = order[order.index(inp) + 1: order.index(flatten)]  # the convolution part
    for nid in between:
        b.remove(nid)
    b.connect(inp, flatten)
    hidden = b.insert_after(flatten, "Dense", units=MLP_UNITS, init="he")
    b.insert_after(hidden, "Activation", function="relu")
    return Change(edit=b.macro("Replace the convolutions by a Dense layer"))


def freeze_convolutions(project: Project) -> Change:
    b = EditBuilder(project.graph)
    for nid in in_order(project.graph, "Conv2D"):
        b.set(nid, "frozen", True)
    return Change(edit=b.macro("Freeze the convolutions"))


LESSON = Lesson(
    id="architectures",
    number=10,
    title="Architectures suit problems",
    example="lesson-architectures",
    paragraphs=(
        "How layers are wired matters as much as how many weights there are. A convolution uses the "
        "same small filter at every position of an image, so a stroke learned in one corner is "
        "recognised everywhere, and it only ever looks at neighbouring pixels - two things that are "
        "true of images. This small CNN has about 1,900 weights.",
        "Train it and note the validation accuracy in 'Loss and accuracy' and the weight count on the "
        "canvas. Then replace the convolutions by one ordinary Dense layer of 64 units: the plain "
        "network has two and a half times as many weights, and still ends up slightly less accurate, "
        "because it must learn every stroke separately at every place.",
        "Trained parts travel. The convolutions of a network trained on digits already detect "
        "strokes; freeze them, put a new head on top and train it for a new question - is the digit "
        "odd or even? - and the head learns more from the same few examples than it would on frozen "
        "random filters. Sequences have their own architecture too: recurrent layers carry a memory "
        "from step to step.",
    ),
    steps=(
        Step("Train the CNN", "Note the validation accuracy and the number of weights.",
             look_at=("CurvesDock", "WeightsDock"), then="train"),
        Step("Replace the convolutions by a Dense layer", "Same data, same training, more weights: compare "
             "the accuracy curve with the CNN's (the earlier run stays in grey). Ctrl+Z brings the CNN back.",
             look_at=("CurvesDock",), change=replace_convolutions, then="train"),
        Step("Freeze the convolutions", "Frozen layers keep their weights while the rest trains. Import the "
             "filters of a trained copy (File > Import weights...) first, then train only the head: "
             "transfer learning (random frozen filters give the head much less to work with).",
             look_at=("CurvesDock",), change=freeze_convolutions),
    ),
)
