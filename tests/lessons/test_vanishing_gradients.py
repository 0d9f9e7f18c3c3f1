"""Lesson 4: a 10-layer sigmoid stack's gradients vanish and it stalls; ReLU+He, BatchNorm and
skip connections each bring the first layer's gradient back and the network trains."""
from __future__ import annotations

import math

import pytest

from nnstudio.lessons import get_lesson
from nnstudio.lessons.graph_recipes import in_order
from nnstudio.training import trainer_for_project

from tests.lessons.lesson_helpers import example_of, trained, with_step

LESSON = get_lesson("vanishing-gradients")


def first_to_last_gradient_ratio(project) -> float:
    """First over last Dense layer's gradient norm after one training step, as the
    GradNormsDock draws them (``LayerSnapshot.grad_norm`` from ``plan.layer_stats``)."""
    trainer = trainer_for_project(project, threads=1)
    trainer.train_batches(1)
    norms = {layer.node_id: layer.grad_norm for layer in trainer.snapshot(0, "paused").layers}
    dense = in_order(project.graph, "Dense")
    assert len(dense) == 10  # ten layers deep, in every variant
    return norms[dense[0]] / norms[dense[-1]]


def test_the_deep_sigmoid_stack_has_vanishing_gradients_and_stalls():
    project = example_of(LESSON)
    assert [n.params["function"] for n in project.graph.nodes_of_kind("Activation")] == ["sigmoid"] * 9
    ratio = first_to_last_gradient_ratio(project)
    assert ratio < 1e-3, ratio  # here about 2e-6
    t = trained(project)
    chance = math.log(2)
    # it stalls: after all its epochs the loss is still a coin flip's and so are its answers
    assert abs(t.history.train_loss[-1] - chance) < 0.02, t.history.train_loss
    assert t.history.val_accuracy[-1] < 0.6


@pytest.mark.parametrize("fix", ["Use ReLU", "Undo that, then add BatchNorm", "Undo that, then add skip"])
def test_each_fix_lifts_the_first_layer_gradient_and_the_network_trains(fix):
    project = with_step(LESSON.id, fix)
    ratio = first_to_last_gradient_ratio(project)
    assert ratio > 0.1, (fix, ratio)  # here 0.2 to 9
    t = trained(project)
    assert t.history.train_loss[-1] < 0.3, (fix, t.history.train_loss)  # a coin flip is 0.69
    assert t.history.val_accuracy[-1] > 0.95, (fix, t.history.val_accuracy)


def test_the_fixes_change_the_graph_as_their_labels_say():
    base = example_of(LESSON).graph
    relu = with_step(LESSON.id, "Use ReLU").graph
    assert {n.params["function"] for n in relu.nodes_of_kind("Activation")} == {"relu"}
    assert {n.params["init"] for n in relu.nodes_of_kind("Dense")} == {"he"}
    bn = with_step(LESSON.id, "Undo that, then add BatchNorm").graph
    assert len(bn.nodes_of_kind("BatchNorm")) == 9 and len(bn.nodes) == len(base.nodes) + 9
    for node in bn.nodes_of_kind("BatchNorm"):  # between a Dense and its sigmoid
        assert [bn.nodes[p].kind for p in bn.predecessors(node.id)] == ["Dense"]
        assert [bn.nodes[s].kind for s in bn.successors(node.id)] == ["Activation"]
    skip = with_step(LESSON.id, "Undo that, then add skip").graph
    adds = skip.nodes_of_kind("Add")
    assert len(adds) == 8
    for node in adds:  # the block's result and the stream that bypasses it
        assert len(skip.predecessors(node.id)) == 2
    assert skip.validate() == [] and bn.validate() == []
