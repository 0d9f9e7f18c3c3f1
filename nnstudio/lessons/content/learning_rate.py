"""Lesson 6: the learning rate - too high diverges, too low crawls."""
from __future__ import annotations

from nnstudio.lessons.model import Change, Lesson, Step

LESSON = Lesson(
    id="learning-rate",
    number=6,
    title="The size of a step",
    example="lesson-learning-rate",
    paragraphs=(
        "Each training step moves every weight a little against its gradient, the direction in which the "
        "loss rises fastest. The learning rate says how far: the weight changes by the learning rate times "
        "the gradient.",
        "Too large a step jumps over the valley the loss lies in and lands higher up the other side; the "
        "next gradient is larger, the next jump larger still, and within a few steps the numbers overflow. "
        "nnstudio stops such a run and explains it in the banner above the canvas.",
        "Too small a step is safe but slow: the loss creeps down so little that after the whole run the "
        "network has hardly learned. In between lies a rate that brings the loss down quickly and "
        "steadily. This network fits a tilted plane (regression) with plain gradient descent (sgd).",
    ),
    steps=(
        Step("Raise the learning rate to 3",
             "Every step now overshoots. Training stops within a few steps and the banner says the loss "
             "exploded; it offers to roll back to the last good weights with a smaller rate.",
             look_at=("CurvesDock",), change=lambda p: Change(training={"lr": 3.0}), then="train"),
        Step("Lower it to 0.0001",
             "Now every step is tiny. The loss curve is almost flat: after all the epochs the loss has "
             "fallen by less than a fifth.",
             look_at=("CurvesDock",), change=lambda p: Change(training={"lr": 0.0001}), then="train"),
        Step("Set it to 0.05",
             "A step that suits this loss: the curve drops steeply in the first epochs and settles near "
             "zero. Switch the loss plot to a log scale to see how far it falls.",
             look_at=("CurvesDock", "DecisionDock"), change=lambda p: Change(training={"lr": 0.05}), then="train"),
    ),
)
