"""Lesson 10: architectures suit problems - convolution for images, transfer of trained parts."""
from __future__ import annotations

from nnstudio.graph.edits import AddNode
from nnstudio.io.project import Project
from nnstudio.lessons.graph_recipes import EditBuilder, in_order
from nnstudio.lessons.model import Change, Lesson, Step

#: the plain network the "replace the convolutions" step builds: one hidden layer of this many units
MLP_UNITS = 64
#: the sequence part: the adding problem (add the two marked numbers of 50), as the recurrent example
SEQUENCE_DATA = {"source": "sequence", "task": "adding", "n": 3000, "length": 50, "noise": 0.0, "seed": 0,
                 "val_ratio": 0.1}
SEQUENCE_TRAINING = {"optimizer": "adam", "lr": 0.03, "batch_size": 32, "epochs": 8, "clip_grad_norm": 1.0}
HIDDEN = 16


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
        "Trained parts travel. The convolutions of a network trained on digits already detect "
        "strokes; freeze them, put a new head on top and train it for a new question - is the digit "
        "odd or even? - and the head learns more from the same few examples than it would on frozen "
        "random filters. Sequences have their own architecture too: recurrent layers carry a memory "
        "from step to step, and an LSTM's gates let it keep something for many steps, where a plain "
        "RNN forgets (the last two steps below).",
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
        Step("Switch to a long sequence with an LSTM", "A new problem: 50 numbers arrive one by one, two "
             "of them marked; the answer is their sum. The LSTM reads step by step and its gated memory "
             "keeps the marked numbers until the end: the loss falls far below 0.17, the score of always "
             "guessing the average.", look_at=("CurvesDock",), change=sequence_with_lstm, then="train"),
        Step("Use a plain RNN instead", "Same size, same training - but a plain RNN's memory is rewritten "
             "at every step, and what it saw 40 steps ago has faded: its loss stays near 0.17.",
             look_at=("CurvesDock", "GradNormsDock"), change=plain_rnn, then="train"),
    ),
)
