"""Lesson 5: training is gradient descent; backpropagation finds each weight's gradient."""
from __future__ import annotations

from nnstudio.lessons.model import Change, Lesson, Step

LESSON = Lesson(
    id="backprop",
    number=5,
    title="One step of gradient descent",
    example="lesson-backprop",
    paragraphs=(
        "Training repeats one move: for every weight, find out how the loss would change if that weight "
        "grew a little (its gradient, dL/dw), then move the weight a small step the other way. With plain "
        "gradient descent (sgd) the step is exactly minus the learning rate times the gradient.",
        "Backpropagation is how the gradients are found. The loss depends on the answer, the answer on "
        "the last neuron's sum, that sum on the weights into it and on the neurons before it, and so "
        "on back to the inputs. The chain rule multiplies these local slopes along the path from the "
        "loss back to the weight; a weight reached by several paths adds them up.",
        "Here one batch is the whole training set, so a step uses the gradient of the mean loss over "
        "all points. Take single steps and read, in the Neuron numbers view, each weight's gradient, "
        "its update and how far it really moved. Click a weight to see its chain-rule product.",
    ),
    steps=(
        Step("Take one step",
             "Select Hidden 1 on the canvas, then step. The view lists each weight with its gradient and "
             "the update -lr \u00d7 gradient the next step will make.",
             look_at=("NeuronDock", "CurvesDock"), then="step"),
        Step("Step again and compare",
             "After this step the view shows how far each weight moved: the same number as the update "
             "it predicted, because sgd moves by -lr \u00d7 gradient and nothing else.",
             look_at=("NeuronDock",), then="step"),
        Step("Click a weight",
             "Click a row of the table. Below it the chain rule is spelled out for one point: the loss's "
             "slope, each neuron's activation slope and the weights on the way back, multiplied. The "
             "mean of these products over all points is the gradient.",
             look_at=("NeuronDock",)),
        Step("Halve the learning rate and step",
             "With lr 0.25 the gradients are the same, but every update is half as large.",
             look_at=("NeuronDock",), change=lambda p: Change(training={"lr": 0.25}), then="step"),
        Step("Train to the end",
             "Thousands of such small steps in a row: the loss curve falls and the decision line settles "
             "between the two clouds.",
             look_at=("CurvesDock", "DecisionDock"), then="train"),
    ),
)
