"""The Word vectors view: an Embedding's rows drawn like a cube, a - b + c worked out and drawn,
checked on vectors trained by lesson 9's step and through key presses in its word boxes."""
from __future__ import annotations

from functools import lru_cache

import numpy as np
from hypothesis import given, settings, strategies as st
from PySide6.QtCore import QRectF
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from nnstudio.data import word_corpus as rc
from nnstudio.training import Extras
from nnstudio.training.project import trainer_for_project
from nnstudio.ui.plots.words import WordVectorsDock, analogy_plane
from tests.lessons.lesson_helpers import with_step
from tests.training.conftest import toy_project
from tests.ui.conftest import shown

PEOPLE = list(rc.PEOPLE)


def cube_vectors(directions: np.ndarray, offset: np.ndarray) -> np.ndarray:
    """The person words as the corpus means them: offset + royal, female and child factor directions."""
    return np.array([offset + np.asarray(f) @ directions for f in rc.PEOPLE.values()])


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**31 - 1), st.integers(3, 12))
def test_the_drawing_puts_the_analogy_across_and_up_and_keeps_every_word_apart(seed, dim):
    rng = np.random.default_rng(seed)
    v = cube_vectors(rng.normal(size=(3, dim)), rng.normal(size=dim))
    king, man, woman, queen = (PEOPLE.index(w) for w in ("king", "man", "woman", "queen"))
    xy = (v - v.mean(axis=0)) @ analogy_plane(v, king, man, woman)
    step = xy[woman] - xy[man]
    assert step[0] > 0 and abs(step[1]) < 1e-9 * max(1.0, abs(step[0]))  # man -> woman: straight across
    up = xy[king] - xy[man]
    assert up[1] > 0  # man -> king goes up
    np.testing.assert_allclose(xy[queen] - xy[king], step, atol=1e-9)  # equal steps stay equal arrows
    gaps = np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1))[np.triu_indices(len(xy), 1)]
    assert gaps.min() > 1e-3 * gaps.max()  # the slanted third factor keeps boy off man, girl off woman


@lru_cache(maxsize=1)
def trained_words():
    trainer = trainer_for_project(with_step("representations", "Train word vectors"), threads=1)
    while not trainer.done:
        trainer.run_epoch()
    return trainer, trainer.snapshot(1, "paused", Extras(params=True))


def shown_dock(qtbot, snapshot, names):
    dock = WordVectorsDock()
    dock.set_token_names(names)
    shown(qtbot, dock, 560, 480)
    dock.update_snapshot(snapshot)
    return dock


def test_trained_vectors_answer_queen_and_draw_the_two_equal_arrows(qtbot):
    trainer, snap = trained_words()
    dock = shown_dock(qtbot, snap, trainer.dataset.token_names)
    assert dock.plot.isVisible() and not dock.note.isVisible()
    assert [c.currentText() for c in dock.words] == ["king", "man", "woman"]
    assert dock.ranked[0][0] == "queen" and "nearest to" in dock.readout.text() and "queen" in dock.readout.text()
    xy = dock.xy
    ix = {w: i for i, w in enumerate(dock.names)}
    x, y = dock.step_arrow.getData()
    np.testing.assert_allclose([x[0], y[0]], xy[ix["man"]])
    np.testing.assert_allclose([x[1], y[1]], xy[ix["woman"]])
    x2, y2 = dock.moved_arrow.getData()
    np.testing.assert_allclose([x2[1] - x2[0], y2[1] - y2[0]], [x[1] - x[0], y[1] - y[0]], atol=1e-9)  # the same step
    ring = np.array(dock.ring.getData()).ravel()
    assert dock.names[int(np.argmin(((xy - ring) ** 2).sum(1)))] == "queen"  # it lands next to queen
    answer = dock.points.points()[ix["queen"]]
    assert answer.brush().color().name() == dock.colours()[2]
    labels = {item.toPlainText(): item for item in dock.labels if item.isVisible()}
    assert set(labels) == set(PEOPLE)
    assert labels["queen"].textItem.font().bold() and not labels["boy"].textItem.font().bold()
    # the answer's name is clear of the ring that lands beside it
    qtbot.wait(50)  # the view takes in its new range
    ring_spot = dock.ring.points()[0]
    centre = dock.ring.mapToScene(ring_spot.pos())
    radius = ring_spot.size() / 2
    ring_box = QRectF(centre.x() - radius, centre.y() - radius, 2 * radius, 2 * radius)
    assert not labels["queen"].sceneBoundingRect().intersects(ring_box)


def test_typing_other_words_works_out_another_analogy(qtbot):
    trainer, snap = trained_words()
    dock = shown_dock(qtbot, snap, trainer.dataset.token_names)
    for combo, word in zip(dock.words, ("prince", "boy", "girl")):
        combo.setFocus()
        QTest.keyClicks(combo, word)
    assert [c.currentText() for c in dock.words] == ["prince", "boy", "girl"]
    assert dock.ranked[0][0] == "princess" and "princess" in dock.readout.text()
    assert dock.plot.getPlotItem().getAxis("bottom").labelText == "boy \u2192 girl"
    qtbot.wait(QApplication.keyboardInputInterval() + 200)  # a new search, not "girlboy"
    dock.words[2].setFocus()
    QTest.keyClicks(dock.words[2], "boy")  # the same word twice asks nothing
    assert dock.ranked == [] and "three different words" in dock.readout.text()


def test_without_an_embedding_the_view_says_how_to_get_one(qtbot):
    trainer = trainer_for_project(toy_project("xor", n=100))
    trainer.run_epoch()
    dock = shown_dock(qtbot, trainer.snapshot(1, "paused", Extras(params=True)), None)
    assert dock.note.isVisible() and not dock.plot.isVisible()
    assert "Embedding" in dock.note.text() and "Train word vectors" in dock.note.text()


def test_rows_without_names_are_numbered(qtbot):
    _, snap = trained_words()
    dock = shown_dock(qtbot, snap, None)
    assert dock.names == [f"token {i}" for i in range(len(PEOPLE))]
    assert dock.readout.text().startswith("token 0")


def test_a_big_vocabulary_shows_its_first_words_and_says_so(qtbot):
    from dataclasses import replace

    from nnstudio.ui.plots.words import MAX_WORDS

    _, snap = trained_words()
    emb = next(layer.node_id for layer in snap.layers if layer.kind == "Embedding")
    big = np.random.default_rng(0).normal(size=(5000, 6)).astype(np.float32)
    dock = shown_dock(qtbot, replace(snap, params={**snap.params, emb: {"weight": big}}), None)
    assert len(dock.names) == MAX_WORDS and len(dock.points.points()) == MAX_WORDS
    assert f"the first {MAX_WORDS} of 5,000 tokens" in dock.readout.text()
    np.testing.assert_allclose(dock.xy, (big[:MAX_WORDS] - big[:MAX_WORDS].mean(0)) @
                               analogy_plane(big[:MAX_WORDS].astype(float), 0, 1, 2), rtol=1e-6, atol=1e-9)
