"""Lesson 7: overfitting - a big net memorises 40 noisy points; L2, dropout, early stopping, more data."""
from __future__ import annotations

from nnstudio.io.project import Project
from nnstudio.lessons.graph_recipes import EditBuilder, in_order
from nnstudio.lessons.model import Change, Lesson, Step

#: the settings the steps use (the test checks these very values)
L2 = 0.01
DROPOUT = 0.5
PATIENCE = 10
MORE_POINTS = 1000  # with the example's validation share of 0.8: 200 training points instead of 40


def weight_decay(project: Project) -> Change:
    return Change(training={"l2": L2})


def dropout(project: Project) -> Change:
    """A Dropout after each hidden activation (not after the output layer)."""
    b = EditBuilder(project.graph)
    for nid in in_order(project.graph, "Activation"):
        b.insert_after(nid, "Dropout", p=DROPOUT)
    return Change(edit=b.macro("Add dropout"))


def early_stopping(project: Project) -> Change:
    return Change(training={"patience": PATIENCE, "restore_best": True})


def more_data(project: Project) -> Change:
    return Change(data={"n": MORE_POINTS})


LESSON = Lesson(
    id="overfitting",
    number=7,
    title="Overfitting: memorising instead of learning",
    example="lesson-overfitting",
    paragraphs=(
        "This network has two hidden layers of 64 units - over 4,000 weights - and only 40 training "
        "points, many of them pushed across the border by noise. It has far more freedom than the "
        "data can pin down, so it can simply memorise every point, noise and all.",
        "Train and watch 'Loss and accuracy': the training loss falls towards zero, but the validation "
        "loss (points it never trains on) bottoms out after a few epochs and then climbs. From then on "
        "every improvement on the training points is memorised noise that makes it worse on new "
        "ones. On the decision surface the border bends and curls to take in single noisy points.",
        "The distance between the two curves at the end is the generalisation gap. Each step below is a "
        "standard way to shrink it; undo (Ctrl+Z) between steps to compare them one at a time.",
    ),
    steps=(
        Step("Train and watch the curves part",
             "Training loss heads for zero while validation loss turns and rises.",
             look_at=("CurvesDock", "DecisionDock"), then="train"),
        Step("Add weight decay (L2 = 0.01)", "Every update also shrinks every weight a little, so only "
             "weights the data keeps asking for grow big. The border becomes smooth and the validation "
             "loss stops climbing.", look_at=("CurvesDock", "DecisionDock"), change=weight_decay, then="train"),
        Step("Add dropout (p = 0.5)", "During training each hidden unit is switched off at random half "
             "of the time, so no unit can rely on a few others to memorise a point together. Press "
             "Ctrl+Z first to remove the weight decay if you want to see dropout alone.",
             look_at=("CurvesDock", "DecisionDock"), change=dropout, then="train"),
        Step("Stop early", "Training stops once the validation loss has not improved for 10 epochs and "
             "goes back to the best weights it saw: it quits before memorising starts.",
             look_at=("CurvesDock",), change=early_stopping, then="train"),
        Step("Use more data (1,000 points)", "With 200 training points instead of 40, the noise averages "
             "out: memorising gets hard and the real border is what fits best.",
             look_at=("CurvesDock", "DecisionDock"), change=more_data, then="train"),
    ),
)
