"""Lesson 1: a neuron is a weighted sum plus a bias through an activation."""
from __future__ import annotations

from nnstudio.lessons.changes import set_param
from nnstudio.lessons.model import Change, Lesson, Step

LESSON = Lesson(
    id="neuron",
    number=1,
    title="One neuron, with its numbers",
    example="lesson-neuron",
    paragraphs=(
        "An artificial neuron does three small things. It multiplies each input by a weight of its own, "
        "adds the products up together with one more number, the bias, and passes that sum through an "
        "activation function that squashes or bends it. That is all: z = w\u00b7x + b, then y = f(z).",
        "Here the two inputs are the coordinates x1 and x2 of a point, and the neuron called Hidden uses "
        "tanh, which squeezes any sum into the range -1 to 1. A second neuron, Answer, weighs Hidden's "
        "output into a yes/no score for the point's class.",
        "The weights and the bias are the only things training changes. They start as random numbers; "
        "every step nudges them so the answers get a little less wrong. Select Hidden on the canvas: "
        "the Neuron numbers view lists, for one point, each input, its weight, their products, the sum "
        "and what tanh makes of it, and updates them while the network trains.",
    ),
    steps=(
        Step("Take one step",
             "Select the Hidden neuron on the canvas first. One step of training computes the numbers "
             "for the first time: read each input x, its weight w and the sum z = w\u00b7x + b.",
             look_at=("NeuronDock",), then="step"),
        Step("Train and watch the weights",
             "While it trains, the weights and the bias change and with them the sum and tanh's output "
             "for the same point. Change the sample number to follow another point.",
             look_at=("NeuronDock", "DecisionDock"), then="train"),
        Step("Switch Hidden to ReLU",
             "ReLU passes a positive sum unchanged and turns a negative one into 0. Train again and "
             "compare the output with the sum: equal, or zero.",
             look_at=("NeuronDock",), change=lambda p: Change(edit=set_param(p, "Hidden", "activation", "relu")),
             then="train"),
        Step("Make Hidden linear",
             "With the linear activation the output is the sum itself: the neuron is only a weighted "
             "sum. The two classes here can still be split by a straight line, so it still works.",
             look_at=("NeuronDock", "DecisionDock"),
             change=lambda p: Change(edit=set_param(p, "Hidden", "activation", "linear")), then="train"),
    ),
)
