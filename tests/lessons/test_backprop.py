"""Lesson 5: one sgd step moves each weight by -lr x gradient; the chain rule gives that gradient."""
from __future__ import annotations

import numpy as np
import pytest

from nnstudio.lessons.neuron_story import weight_change, weight_names, weight_story
from tests.lessons.lesson_helpers import make_step, open_lesson, train
from nnstudio.training import trainer_for_project


def _neurons(graph):
    return [n.id for n in graph.nodes.values() if n.kind == "Neuron"]


@pytest.mark.parametrize("steps_before", [0, 7])
def test_one_step_moves_every_weight_by_minus_lr_times_its_chain_rule_gradient(steps_before):
    lesson, project = open_lesson("backprop")
    trainer = trainer_for_project(project, threads=1)
    assert trainer.settings.optimizer == "sgd" and trainer.settings.batch_size == len(trainer.X_train)
    for _ in range(steps_before):
        trainer.train_batches(1)
    g = trainer.graph
    X, Y = trainer.X_train, trainer.dataset.y_train
    before = trainer.weights()
    _loss, engine = trainer.plan.gradients(X, trainer.Y_train)
    lr = trainer.lr
    stories = {(nid, i): weight_story(g, before, X, Y, nid, i, sample=3)
               for nid in _neurons(g) for i in range(-1, len(weight_names(g, nid)) - 1)}
    assert len(stories) == 3 + 3 + 3  # two hidden neurons with 2 weights + bias, the answer with 2 + bias
    trainer.train_batches(1)
    after = trainer.weights()
    for (nid, i), story in stories.items():
        grad = float(engine[nid]["bias"][0] if i < 0 else engine[nid]["weight"][0, i])
        assert story.gradient == pytest.approx(grad, rel=1e-4, abs=1e-7), story.weight
        # the shown update is the real parameter change of the step
        assert weight_change(before, after, nid, i) == pytest.approx(story.update(lr), rel=1e-3, abs=1e-7)
        # and the listed factors multiply to the sample's share
        product = sum(np.prod([f.value for f in path]) for path in story.paths)
        assert product == pytest.approx(story.sample_gradient, rel=1e-9, abs=1e-12)


def test_the_story_of_a_first_layer_weight_runs_along_the_path_to_the_loss():
    _lesson, project = open_lesson("backprop")
    trainer = trainer_for_project(project, threads=1)
    g = trainer.graph
    hidden = next(n.id for n in g.nodes.values() if n.name == "Hidden 1")
    story = weight_story(g, trainer.weights(), trainer.X_train, trainer.dataset.y_train, hidden, 0, sample=0)
    assert story.weight == "w[x1 \u2192 Hidden 1]"
    [path] = story.paths
    labels = [f.label for f in path]
    assert labels[0] == "dL/d\u0177" and labels[-1] == "dz/dw = x1"
    assert "w[Hidden 1 \u2192 Answer]" in labels[2] and "tanh" in labels[3]
    assert path[-1].value == pytest.approx(float(trainer.X_train[0, 0]))


def test_half_the_learning_rate_halves_the_update_and_training_converges():
    lesson, project = open_lesson("backprop")
    half = make_step(lesson, project, "Halve the learning rate and step")
    assert half.training["lr"] == project.training["lr"] / 2
    _t, before, after = train(project)
    assert after["val_accuracy"] >= 0.95 and after["val_loss"] < 0.5 * before["val_loss"]
