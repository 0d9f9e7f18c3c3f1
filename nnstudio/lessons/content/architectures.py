"""Lesson 10: architectures suit problems - convolution for images, transfer of trained parts."""
from __future__ import annotations

from nnstudio.graph.edits import AddNode
from nnstudio.io.project import Project
from nnstudio.lessons.changes import LessonError
from nnstudio.lessons.graph_recipes import EditBuilder, in_order
from nnstudio.lessons.model import Change, Lesson, Step

#: the plain network the "replace the convolutions" step builds: one hidden layer of this many units
MLP_UNITS = 64
#: the sequence part: the adding problem (add the two marked numbers of 50), as the recurrent example
SEQUENCE_DATA = {"source": "sequence", "task": "adding", "n": 3000, "length": 50, "noise": 0.0, "seed": 0,
                 "val_ratio": 0.1}
SEQUENCE_TRAINING = {"optimizer": "adam", "lr": 0.03, "batch_size": 32, "epochs": 8, "clip_grad_norm": 1.0}
HIDDEN = 16
#: the teacher's harder task: each digit at a random spot of a 16x16 page, the first half of the
#: images four times each; and its training
PAGE = 16
PLACED_DIGITS = {"labels": "digit", "part": "first half", "per_class": 0, "page": PAGE, "copies": 4, "val_ratio": 0.2}
PLACED_TRAINING = {"batch_size": 32, "epochs": 15}
#: the new question the trained filters are reused for: odd or even, on the other half of the images
#: (never seen by the teacher), from 5 training images of each digit (15 more each held out)
NEW_QUESTION = {"labels": "odd or even", "part": "second half", "per_class": 20, "page": PAGE, "copies": 1,
                "val_ratio": 0.75}
NEW_QUESTION_TRAINING = {"batch_size": 10, "epochs": 10}
NO_CNN = ("this step reuses the trained filters of the CNN, and the network has no convolutions now - "
          "press Ctrl+Z until the CNN is back, train it (the first step), then press this again")
NOT_TRAINED = ("train the CNN on digits placed anywhere first (the third step): this step reuses the "
               "filters it has learned, and they have not learned anything yet")


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


def placed_digits(project: Project) -> Change:
    """The teacher: the same CNN, trainable, on digits placed anywhere on a bigger page."""
    b = _cnn_on_the_page(project)
    for nid in in_order(project.graph, "Conv2D"):
        b.set(nid, "frozen", False)
    b.set(in_order(project.graph, "Dense")[-1], "units", 10)
    return Change(edit=b.macro("Train the CNN on digits placed anywhere"), data=PLACED_DIGITS,
                  training=PLACED_TRAINING)


def new_question(project: Project, frozen: bool, text: str, **extra: object) -> Change:
    """The CNN asked odd or even: a two-unit head, its convolutions frozen or not, the new data."""
    b = _cnn_on_the_page(project)
    for nid in in_order(project.graph, "Conv2D"):
        b.set(nid, "frozen", frozen)
    b.set(in_order(project.graph, "Dense")[-1], "units", 2)
    return Change(edit=b.macro(text), data=NEW_QUESTION, training=NEW_QUESTION_TRAINING, **extra)


def _cnn_on_the_page(project: Project) -> EditBuilder:
    """Edits that start from the lesson's CNN with its Input set to the page's size."""
    g = project.graph
    if not in_order(g, "Conv2D"):
        raise LessonError(NO_CNN)
    b = EditBuilder(g)
    b.set(in_order(g, "Input")[0], "shape", [1, PAGE, PAGE])
    return b


def reuse_filters(project: Project) -> Change:
    """Transfer: the trained convolutions kept and frozen under a new head (the others start fresh)."""
    convs = tuple(in_order(project.graph, "Conv2D"))
    return new_question(project, True, "Reuse the trained filters for odd or even", keep_weights=convs,
                        needs_training=NOT_TRAINED)


def random_filters(project: Project) -> Change:
    """The same frozen convolutions and question; the then-reset gives them fresh random filters."""
    return new_question(project, True, "Freeze random filters for odd or even")


def from_scratch(project: Project) -> Change:
    """The same network and question with every layer trainable (the then-reset gives fresh weights)."""
    return new_question(project, False, "Train every layer for odd or even from scratch")


def sequence_with_lstm(project: Project) -> Change:
    """A new network for a new problem: Input (50 steps x 2) -> LSTM -> Dense(1) -> Output (mse)."""
    g = project.graph
    b = EditBuilder(g)
    for nid in reversed(g.topological_order()):
        b.remove(nid)
    ids = []
    for i, (kind, params) in enumerate([("Input", {"shape": [SEQUENCE_DATA["length"], 2]}),
                                        ("LSTM", {"hidden_size": HIDDEN}), ("Dense", {"units": 1}),
                                        ("Output", {"loss": "mse"})]):
        ids.append(b.do(AddNode(kind, params, pos=((i % 2) * 280.0, (i // 2) * 130.0))))
    for src, dst in zip(ids, ids[1:]):
        b.connect(src, dst)
    return Change(edit=b.macro("A sequence network with an LSTM"), data=SEQUENCE_DATA, training=SEQUENCE_TRAINING)


def plain_rnn(project: Project) -> Change:
    """The LSTM replaced by a plain (tanh) RNN of the same size, wired the same way."""
    g = project.graph
    b = EditBuilder(g)
    for nid in in_order(g, "LSTM"):
        node = g.nodes[nid]
        before, after = g.predecessors(nid), g.successors(nid)
        b.remove(nid)
        rnn = b.do(AddNode("RNN", {"hidden_size": node.params["hidden_size"]}, pos=node.pos))
        for src in before:
            b.connect(src, rnn)
        for dst in after:
            b.connect(rnn, dst)
    return Change(edit=b.macro("Use a plain RNN"))


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
        "Trained parts travel. Train the CNN on a harder version - each digit at a random spot of a "
        "bigger page, from half of the images - and its filters learn strokes wherever they are. Then "
        "keep them, freeze them, and put a new head on top for a new question, odd or even, about the "
        "other half of the images, which it has never seen, with only 5 examples of each digit. On the "
        "trained filters the head climbs well above a coin toss within a few epochs; the same network "
        "on random filters, or trained whole from scratch, stays near 0.5: 50 images are too few to "
        "learn strokes from. Frozen filters also make each step cheaper, as no gradient goes into them.",
        "Sequences have their own architecture too: recurrent layers carry a memory from step to step, "
        "and an LSTM's gates let it keep something for many steps, where a plain RNN forgets (the last "
        "two steps below).",
    ),
    steps=(
        Step("Train the CNN", "Note the validation accuracy and the number of weights.",
             look_at=("CurvesDock", "WeightsDock"), then="train"),
        Step("Replace the convolutions by a Dense layer", "Same data, same training, more weights: compare "
             "the accuracy curve with the CNN's (the earlier run stays in grey). Ctrl+Z brings the CNN back.",
             look_at=("CurvesDock",), change=replace_convolutions, then="train", compare=1),
        Step("Train the CNN on digits placed anywhere", "The same CNN on a 16x16 page with each digit at a "
             "random spot: the first half of the images, four times each at different spots. This CNN is the "
             "teacher whose filters the next step reuses.", look_at=("CurvesDock", "WeightsDock"),
             change=placed_digits, then="train"),
        Step("Reuse the trained filters for odd or even", "Keeps the filters the CNN has just learned and "
             "freezes them; a new head of two units learns a new question, odd or even, on the other half of "
             "the images, from 5 of each digit (15 more held out). Only the head's 514 weights train: watch "
             "the validation accuracy in 'Loss and accuracy'.", look_at=("CurvesDock",), change=reuse_filters,
             then="train"),
        Step("Same, with random filters", "Same frozen layers, same head and data, but the filters are new "
             "random ones: the validation accuracy stays near 0.5, far below the reused filters' (in grey) - "
             "the head was building on what the trained filters had learned.", look_at=("CurvesDock",),
             change=random_filters, then="train", compare=1),
        Step("Same, from scratch", "Every layer trains, from fresh weights, on the same 50 images: the "
             "accuracy stays near 0.5 too, below the reused filters' run (in grey). With so few examples the "
             "network cannot learn strokes on its own. Each of its steps also costs more: the filters' "
             "gradients are computed too.",
             look_at=("CurvesDock",), change=from_scratch, then="train", compare=2),
        Step("Switch to a long sequence with an LSTM", "A new problem: 50 numbers arrive one by one, two "
             "of them marked; the answer is their sum. The LSTM reads step by step and its gated memory "
             "keeps the marked numbers until the end: the loss falls far below 0.17, the score of always "
             "guessing the average.", look_at=("CurvesDock",), change=sequence_with_lstm, then="train"),
        Step("Use a plain RNN instead", "Same size, same training - but a plain RNN's memory is rewritten "
             "at every step, and what it saw 40 steps ago has faded: its loss stays near 0.17, far above the "
             "LSTM's (in grey).", look_at=("CurvesDock", "GradNormsDock"), change=plain_rnn, then="train",
             compare=1),
    ),
)
