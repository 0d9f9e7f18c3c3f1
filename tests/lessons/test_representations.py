"""Lesson 9: after training, the hidden-layer projection separates the classes (silhouette >= 0.3,
< 0.1 at init), and an Embedding trained on a small generated corpus puts king - man + woman
nearest to queen.

The projection is the ProjectionDock's: the activations of the layer it shows by default (the
last hidden Activation) for the snapshot's validation samples, through its own ``pca_2d``.
"""
from __future__ import annotations

import numpy as np

from nnstudio.data import word_corpus as rc
from nnstudio.lessons import get_lesson
from nnstudio.lessons.content.representations import WORDS, WORDS_DATA
from nnstudio.lessons.graph_recipes import node_named
from nnstudio.training import trainer_for_project
from nnstudio.training.trainer import Extras
from nnstudio.ui.plots.classes import pca_2d

from tests.lessons.lesson_helpers import example_of, with_step

LESSON = get_lesson("representations")


def silhouette(points: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette coefficient (Euclidean), as sklearn.metrics.silhouette_score."""
    d = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(-1))
    labels = np.asarray(labels).ravel()
    scores = []
    for i in range(len(points)):
        same = labels == labels[i]
        same[i] = False
        a = d[i, same].mean()
        b = min(d[i, labels == c].mean() for c in np.unique(labels) if c != labels[i])
        scores.append((b - a) / max(a, b))
    return float(np.mean(scores))


def test_silhouette_matches_a_hand_computed_case():
    pts = np.array([[0.0, 0.0], [0.0, 1.0], [10.0, 0.0], [10.0, 1.0]])
    # each point: a = 1 (its partner), b = mean(10, sqrt(101)) -> s = 1 - 1/b
    b = (10 + np.sqrt(101)) / 2
    assert np.isclose(silhouette(pts, np.array([0, 0, 1, 1])), 1 - 1 / b)
    assert silhouette(pts, np.array([0, 1, 0, 1])) < 0


def projection_silhouette(trainer, node_id: str) -> float:
    s = trainer.snapshot(0, "paused", Extras(hidden_node=node_id))
    return silhouette(pca_2d(s.hidden[node_id]), np.asarray(s.hidden_labels))


def test_the_hidden_projection_separates_the_classes_after_training():
    project = example_of(LESSON)
    g = project.graph
    shown = [n.id for n in g.nodes.values() if n.kind in ("Activation", "Dense", "Neuron")][:-1][-1]
    assert g.nodes[shown].name == "Representation"  # the two tanh units the dock shows by default
    t = trainer_for_project(project, threads=1)
    before = projection_silhouette(t, shown)
    while not t.done:
        t.run_epoch()
    after = projection_silhouette(t, shown)
    assert before < 0.1, before  # seeds 0-2: 0.02
    assert after >= 0.3, after  # seeds 0-2: 0.42-0.65
    assert t.history.val_accuracy[-1] > 0.8
    # the "compare an earlier layer" step: the first hidden layer's projection is still mixed
    first = next(n.id for n in g.nodes.values() if n.name == "Activation 1")
    assert projection_silhouette(t, first) < 0.15  # seeds 0-1: 0.02-0.03


def test_corpus_keeps_its_factors_apart():
    corpus = rc.sentences(200, seed=1)
    for sentence in corpus:
        royal, female, child = rc.PEOPLE[sentence[0]]
        assert any(w in rc.FACTOR_WORDS[0][royal] for w in sentence)
        assert not any(w in rc.FACTOR_WORDS[1][1 - female] for w in sentence)
        assert len(sentence) == 6


def test_the_word_step_replaces_the_spiral_by_a_skipgram_model_on_the_corpus():
    project = with_step("representations", "Train word vectors")
    assert project.data == dict(WORDS_DATA)  # replaced, not merged: no spiral keys left for the new source
    kinds = [project.graph.nodes[nid].kind for nid in project.graph.topological_order()]
    assert kinds == ["Input", "Embedding", "Flatten", "Dense", "Output"]
    emb = project.graph.nodes[node_named(project.graph, WORDS)]
    assert emb.params["num_embeddings"] == len(rc.PEOPLE)
    assert project.weights is None  # a new network: nothing of the spiral's weights carries over


def test_king_minus_man_plus_woman_is_nearest_queen():
    project = with_step("representations", "Train word vectors")
    emb = node_named(project.graph, WORDS)
    t = trainer_for_project(project, threads=1)
    assert t.dataset.token_names == list(rc.PEOPLE)  # the rows the Word vectors view labels
    untrained = np.array(t.plan.params[emb]["weight"])
    while not t.done:
        t.run_epoch()
    vectors = t.plan.params[emb]["weight"]
    ranked = rc.analogy(vectors, "king", "man", "woman")
    assert ranked[0][0] == "queen", ranked  # seeds 0-2: cosine 0.76-0.97, next 0.31-0.49
    assert ranked[0][1] - ranked[1][1] > 0.1, ranked  # clearly, not by a hair
    assert rc.analogy(vectors, "prince", "boy", "girl")[0][0] == "princess"
    assert rc.analogy(vectors, "woman", "man", "boy")[0][0] == "girl"
    # the random start does not know it: the trained margin is what the corpus taught
    start = rc.analogy(untrained, "king", "man", "woman")
    assert not (start[0][0] == "queen" and start[0][1] - start[1][1] > 0.1), start
