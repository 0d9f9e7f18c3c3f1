"""Lesson 2: a deep linear stack cannot solve XOR; one tanh layer can."""
from __future__ import annotations

import pytest

from tests.lessons.lesson_helpers import make_step, open_lesson, train


@pytest.mark.parametrize("seed", [0, 1])
def test_linear_stack_stays_at_chance_and_one_tanh_solves_xor(seed):
    lesson, project = open_lesson("non-linearity")
    assert [n.kind for n in project.graph.nodes.values()].count("Dense") == 4
    assert not project.graph.nodes_of_kind("Activation")
    _t, _b, linear = train(make_step(lesson, project, "Train the straight stack"), seed=seed)
    assert linear["val_accuracy"] <= 0.65

    bent = make_step(lesson, project, "Put tanh after Layer 1")
    assert [n.params["function"] for n in bent.graph.nodes_of_kind("Activation")] == ["tanh"]
    _t, _b, curved = train(bent, seed=seed)
    assert curved["val_accuracy"] >= 0.95

    # "Remove the activation" takes it out again: back to a straight line
    straight = make_step(lesson, bent, "Remove the activation")
    assert not straight.graph.nodes_of_kind("Activation") and not straight.graph.validate()
    _t, _b, again = train(straight, seed=seed)
    assert again["val_accuracy"] <= 0.65


def test_relu_step_needs_the_activation_and_also_solves_xor():
    lesson, project = open_lesson("non-linearity")
    bent = make_step(lesson, project, "Put tanh back")
    relu = make_step(lesson, bent, "Switch the activation to ReLU")
    assert [n.params["function"] for n in relu.graph.nodes_of_kind("Activation")] == ["relu"]
    _t, _b, metrics = train(relu)
    assert metrics["val_accuracy"] >= 0.9
    from nnstudio.lessons.changes import LessonError

    with pytest.raises(LessonError, match="no longer in the network"):
        make_step(lesson, project, "Switch the activation to ReLU")  # no activation to switch yet
