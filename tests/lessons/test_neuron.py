"""Lesson 1: the numbers shown inside a neuron are the engine's own forward values."""
from __future__ import annotations

import numpy as np
import pytest

from nnstudio.lessons.neuron_story import neuron_numbers
from tests.lessons.lesson_helpers import make_step, open_lesson, train


def _by_name(graph, name):
    return next(n.id for n in graph.nodes.values() if n.name == name)


@pytest.mark.parametrize("activation_step", [None, "Switch Hidden to ReLU", "Make Hidden linear"])
def test_neuron_numbers_are_the_plans_forward_values(activation_step):
    lesson, project = open_lesson("neuron")
    if activation_step:
        project = make_step(lesson, project, activation_step)
    trainer, _before, after = train(project, epochs=3)
    hidden = _by_name(trainer.graph, "Hidden")
    weights = trainer.weights()
    acts = trainer.plan.activations(trainer.X_train[:5])
    for i in range(5):
        numbers = neuron_numbers(trainer.graph, weights, trainer.X_train[i], hidden)
        assert [inp.label for inp in numbers.inputs] == ["x1", "x2"]
        np.testing.assert_allclose([inp.x for inp in numbers.inputs], trainer.X_train[i], rtol=1e-6)
        np.testing.assert_allclose([inp.w for inp in numbers.inputs], weights[hidden]["weight"][0], rtol=1e-6)
        assert numbers.bias == pytest.approx(float(weights[hidden]["bias"][0]), rel=1e-6)
        z = sum(inp.w * inp.x for inp in numbers.inputs) + numbers.bias
        assert numbers.z == pytest.approx(z, abs=1e-9)
        # the neuron's output is the engine's activation of the Hidden node for that sample
        assert numbers.output == pytest.approx(float(acts[hidden][i, 0]), abs=1e-5)
    if activation_step == "Switch Hidden to ReLU":
        assert all(n.output == max(n.z, 0.0) for n in
                   (neuron_numbers(trainer.graph, weights, x, hidden) for x in trainer.X_train[:20]))


def test_the_neuron_learns_the_two_clouds():
    lesson, project = open_lesson("neuron")
    _t, before, after = train(project)
    assert after["val_accuracy"] >= 0.95 and after["val_loss"] < 0.5 * before["val_loss"]
