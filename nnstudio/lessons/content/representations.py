"""Lesson 9: learned representations - a hidden layer rearranges the data until the classes separate."""
from __future__ import annotations

from nnstudio.data.word_corpus import PEOPLE, vocabulary
from nnstudio.graph.edits import AddNode
from nnstudio.io.project import Project
from nnstudio.lessons.graph_recipes import EditBuilder
from nnstudio.lessons.model import Change, Lesson, Step

#: the example's two-unit layer whose activations the projection shows
REPRESENTATION = "Representation"
#: the word part: 3,000 generated sentences as (person word, word of its sentence) pairs
WORDS_DATA = {"source": "words", "n": 3000, "seed": 1, "val_ratio": 0.1}
WORDS_TRAINING = {"optimizer": "adam", "lr": 0.01, "batch_size": 64, "epochs": 4}
#: the length of each word's vector (three factors to place, room to spare)
WORD_DIM = 6
#: the node the Word vectors view shows
WORDS = "Words"
# where the word network's nodes go: two a row, as the lesson examples are laid out
_COLUMN, _ROW = 280.0, 130.0


def word_vector_network(project: Project) -> Change:
    """The whole network replaced by a skip-gram model on the generated corpus: a person word's id ->
    Embedding "Words" (a vector per person word) -> Dense (a score per word of the vocabulary)."""
    g = project.graph
    b = EditBuilder(g)
    x0, y0 = min((n.pos for n in g.nodes.values()), default=(0.0, 0.0))
    for nid in list(g.nodes):
        b.remove(nid)
    layers = [("Input", None, {"shape": [1]}),
              ("Embedding", WORDS, {"num_embeddings": len(PEOPLE), "embedding_dim": WORD_DIM}),
              ("Flatten", None, {}),
              ("Dense", "Which word", {"units": len(vocabulary())}),
              ("Output", None, {"loss": "cross_entropy"})]
    prev = None
    for i, (kind, name, params) in enumerate(layers):
        pos = (x0 + (i % 2) * _COLUMN, y0 + (i // 2) * _ROW)
        nid = b.do(AddNode(kind, dict(params), pos=pos, name=name))
        if prev is not None:
            b.connect(prev, nid)
        prev = nid
    return Change(edit=b.macro("Train word vectors"), data=WORDS_DATA, training=WORDS_TRAINING)

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
        "woman is the same as from king to queen: king - man + woman lands next to queen. The last "
        "two steps train such word vectors and show them in the view 'Word vectors'.",
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
        Step("Train word vectors",
             "A new network and new data: 3,000 made-up sentences ('queen she palace learns ...'). The "
             "Embedding Words gives each of the eight person words a vector of six numbers; from it the "
             "network must guess the other words of the sentence. Its accuracy stays low (most words "
             "are chance), but to guess at all it must learn which words go with whom. The view 'Word "
             "vectors' draws the eight vectors and works out king - man + woman.",
             look_at=("WordVectorsDock", "CurvesDock"), change=word_vector_network, then="train"),
        Step("Try another analogy",
             "In the Word vectors view pick prince - boy + girl, or woman - man + boy: the arrow from the "
             "second word to the third and the arrow from the first to the answer are the same step. "
             "No sentence says that a princess is a royal girl; the vectors found it from which words "
             "go together.", look_at=("WordVectorsDock",)),
    ),
)
