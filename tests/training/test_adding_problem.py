"""The adding problem with 50 steps: an LSTM learns it, a plain RNN given the same budget does not.

Predicting the mean (1.0) scores MSE 1/6 = 0.167: that is all a network can do that forgets the
marked numbers before the end of the sequence. Both networks train in a Trainer (as the app
does) on the seqdata generator, with the same hidden size, optimizer, steps and clipping.
"""
from __future__ import annotations

import numpy as np
import pytest

import nnstudio as ns
from nnstudio.data.sequences import sequence
from nnstudio.training.settings import TrainingSettings
from nnstudio.training.trainer import Trainer

TRIVIAL = 1 / 6


def trained_val_mse(kind: str, epochs: int) -> float:
    g = ns.Graph()
    x = g.add("Input", shape=[50, 2])
    r = g.add(kind, hidden_size=16)
    d = g.add("Dense", units=1)
    o = g.add("Output", loss="mse")
    g.connect(x, r), g.connect(r, d), g.connect(d, o)
    data = sequence("adding", n=3000, length=50, seed=0, val_ratio=0.1)
    settings = TrainingSettings(optimizer="adam", lr=0.03, batch_size=32, epochs=epochs, clip_grad_norm=1.0, seed=0)
    t = Trainer(g, data, settings)
    for _ in range(epochs):
        t.run_epoch()
    return t.evaluate()["val_loss"]


@pytest.fixture(scope="module")
def results() -> dict[str, float]:
    return {kind: trained_val_mse(kind, epochs=8) for kind in ("LSTM", "RNN")}


def test_lstm_solves_the_adding_problem(results):
    assert results["LSTM"] < 0.2 * TRIVIAL, results


def test_plain_rnn_stays_near_the_trivial_baseline(results):
    assert results["RNN"] > 0.7 * TRIVIAL, results
    assert np.isfinite(results["RNN"])


def test_the_adding_example_project_trains():
    from pathlib import Path

    from nnstudio.io.project import load_project
    from nnstudio.training.project import trainer_for_project

    example = Path(ns.__file__).parent / "resources" / "examples" / "adding-lstm.nnstudio"
    project = load_project(example)
    assert project.data["source"] == "sequence" and project.data["task"] == "adding"
    t = trainer_for_project(project)
    first = t.evaluate()["val_loss"]
    t.train_batches(20)
    assert np.isfinite(t.evaluate()["val_loss"]) and t.step_count == 20
    assert first > 0.05  # untrained: about the trivial baseline, or worse
