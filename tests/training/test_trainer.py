"""The single-threaded trainer: learning, reproducibility, divergence, early stopping, weights."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnstudio.errors import CompileError
from nnstudio.training import Extras, trainer_for_project
from tests.training.conftest import toy_project


def train(project, **overrides):
    t = trainer_for_project(project, **overrides)
    while not t.done and t.divergence is None:
        t.run_epoch()
    return t


def test_xor_learns(xor_project):
    t = train(xor_project)
    assert t.history.val_accuracy[-1] >= 0.9
    assert t.history.train_loss[-1] < 0.5 * t.history.train_loss[0]
    assert len(t.history.epoch) == 30 and t.history.epoch[-1] == 30


def test_same_seed_gives_identical_curve_bit_for_bit():
    a = train(toy_project("spiral", n=240, epochs=6))
    b = train(toy_project("spiral", n=240, epochs=6))
    assert a.history.train_loss == b.history.train_loss
    assert a.history.val_loss == b.history.val_loss
    assert a.history.step_loss == b.history.step_loss
    for nid, tensors in a.plan.params.items():
        for name, w in tensors.items():
            np.testing.assert_array_equal(w, b.plan.params[nid][name])
    c = train(toy_project("spiral", n=240, epochs=6), seed=1)
    assert c.history.train_loss != a.history.train_loss


def test_chunking_does_not_change_results():
    p = toy_project("circle", n=240, epochs=3)
    a = trainer_for_project(p)
    b = trainer_for_project(p)
    while not a.done:
        a.train_batches(1)  # one step at a time
    while not b.done:
        b.train_batches(None)
    assert a.history.train_loss == pytest.approx(b.history.train_loss, rel=1e-6, abs=0)
    assert a.step_count == b.step_count


def test_training_metrics_come_from_the_epochs_own_passes():
    """Train loss and accuracy (or MAE) average the epoch's training passes: with a zero learning
    rate (1e-12) nothing changes during the epoch, so they equal an evaluation of the training set."""
    from nnstudio.io import Project
    from nnstudio.training import metrics as M
    from tests.conftest import build_mlp

    t = trainer_for_project(toy_project("circle", n=240, epochs=1, lr=1e-12, optimizer="sgd"))

    def second_pass(*args):
        raise AssertionError("the epoch ran a second pass over the training set")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(t.plan, "forward", second_pass)
        mp.setattr(t.plan, "predict", second_pass)
        t.run_epoch()
    out = t.plan.forward(t.X_train)
    expected = M.accuracy(M.predicted_classes(out, t.loss_kind), t.dataset.y_train)
    assert 0.2 < expected < 0.8  # an untrained net: the figure is not trivially 0 or 1
    assert t.history.train_accuracy[-1] == pytest.approx(expected, abs=1e-12)
    assert t.history.train_loss[-1] == pytest.approx(t.plan.loss(t.X_train, t.Y_train), rel=1e-5)

    g, _ = build_mlp(sizes=(2, 8, 1), activation="tanh", loss="mse")
    plane = Project(graph=g, data={"source": "toy", "name": "plane", "n": 240, "noise": 0.1, "seed": 3,
                                   "val_ratio": 0.25},
                    training={"optimizer": "sgd", "lr": 1e-12, "batch_size": 16, "epochs": 1, "threads": 1})
    t = trainer_for_project(plane)
    t.run_epoch()
    mae = M.mean_absolute_error(t.plan.forward(t.X_train), t.Y_train)
    assert t.last_metrics["train_mae"] == pytest.approx(mae, rel=1e-6)
    assert t.last_metrics["val_mae"] == pytest.approx(M.mean_absolute_error(t.plan.forward(t.X_val), t.Y_val))


def test_divergence_is_caught_and_rolled_back(spiral_project):
    t = trainer_for_project(spiral_project, lr=100.0)
    for _ in range(200):
        t.train_batches()
        if t.divergence is not None:
            break
    report = t.divergence
    assert report is not None, "lr=100 should diverge"
    assert "learning rate" in report.message and report.suggested_lr == 50.0
    assert any(not np.isfinite(w).all() for p in t.plan.params.values() for w in p.values()) \
        or "loss" in report.what
    steps = t.step_count
    assert t.train_batches() == 0 and t.step_count == steps  # stays paused until rolled back
    t.rollback(halve_lr=True)
    assert t.divergence is None and t.settings.lr == 50.0
    assert all(np.isfinite(w).all() for p in t.plan.params.values() for w in p.values())


def test_early_stopping_restores_best():
    p = toy_project("gaussians", n=80, epochs=300, lr=0.05, noise=0.5, patience=5, hidden=32)
    t = train(p)
    assert t.stopped_early and t.epoch < 300
    best = min(t.history.val_loss)
    assert t.evaluate()["val_loss"] == pytest.approx(best, rel=1e-5)


def test_weights_continue_training(xor_project):
    t = train(xor_project)
    w = t.weights()
    xor_project.weights = w
    t2 = trainer_for_project(xor_project)
    assert t2.evaluate()["val_loss"] == pytest.approx(t.evaluate()["val_loss"], rel=1e-6)
    t3 = trainer_for_project(xor_project, use_weights=False)
    assert t3.evaluate()["val_loss"] > t.evaluate()["val_loss"]


def test_settings_change_between_steps(xor_project):
    t = trainer_for_project(xor_project)
    t.train_batches(2)
    t.apply_settings(t.settings.with_changes(batch_size=8, lr=0.01))
    assert t.settings.batch_size == 8 and t.plan.batch_size == 8
    before = {k: {n: v.copy() for n, v in p.items()} for k, p in t.plan.params.items()}
    t.train_batches(1)
    assert any(not np.array_equal(before[k][n], t.plan.params[k][n]) for k in before for n in before[k])
    t.apply_settings(t.settings.with_changes(optimizer="sgd"))
    t.train_batches(1)
    assert t.step_count == 4


def test_invalid_graph_is_refused_with_advice(xor_project):
    xor_project.graph.set_param(xor_project.graph.nodes_of_kind("Input")[0].id, "shape", [3])
    with pytest.raises(CompileError, match="the dataset gives examples of shape 2 but this Input expects 3"):
        trainer_for_project(xor_project)


def test_snapshot_is_an_immutable_copy(xor_project):
    t = trainer_for_project(xor_project)
    t.run_epoch()
    snap = t.snapshot(1, "paused", Extras(params=True, grid=(-6, 6, -6, 6, 16), neuron_grid=True,
                                           hidden_node=xor_project.graph.nodes_of_kind("Activation")[0].id))
    nid = next(iter(snap.params))
    w = snap.params[nid]["weight"]
    with pytest.raises(ValueError):
        w[...] = 0
    t.run_epoch()
    assert not np.array_equal(w, t.plan.params[nid]["weight"])
    assert snap.grid.values.shape == (16, 16, 2)
    np.testing.assert_allclose(snap.grid.values.sum(axis=2), 1.0, rtol=1e-5)
    assert len(snap.grid.neurons) >= 8
    assert next(iter(snap.hidden.values())).shape[1] == 8
    assert snap.curves.train_loss.shape == (1,)
    assert {layer.kind for layer in snap.layers} >= {"Dense"}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.floats(allow_nan=True, allow_infinity=False, width=64), max_size=150), max_size=8))
def test_history_curves_copy_only_what_is_new_and_earlier_curves_keep_their_values(batches):
    from nnstudio.training.trainer import History

    h = History()
    taken: list[tuple[object, list[float]]] = []
    for batch in batches:
        h.step_loss.extend(batch)
        h.epoch.extend(range(len(h.epoch), len(h.epoch) + len(batch)))
        c = h.curves()
        taken.append((c, list(h.step_loss)))
        assert not c.step_loss.flags.writeable and c.step_loss.dtype == np.float64
    for c, values in taken:  # later appends (and the buffer growing) leave earlier snapshots alone
        np.testing.assert_array_equal(c.step_loss, np.asarray(values, dtype=np.float64))
        np.testing.assert_array_equal(c.epoch, np.arange(len(values), dtype=np.float64))
    h.step_loss = h.step_loss[:2]  # a cut list is copied afresh
    np.testing.assert_array_equal(h.curves().step_loss, np.asarray(h.step_loss, dtype=np.float64))


def test_history_curves_without_new_entries_share_the_buffer():
    from nnstudio.training.trainer import History

    h = History()
    h.train_loss.extend([1.0, 0.5])
    first, second = h.curves().train_loss, h.curves().train_loss
    assert np.shares_memory(first, second)  # nothing new: no copy at all


def test_costly_snapshot_parts_are_kept_for_a_moment_while_running_and_fresh_otherwise(xor_project, monkeypatch):
    import nnstudio.training.trainer as trainer_module

    t = trainer_for_project(xor_project)
    hidden_id = xor_project.graph.nodes_of_kind("Activation")[0].id
    extras = Extras(grid=(-6, 6, -6, 6, 16), hidden_node=hidden_id)
    computed = {"activations": 0}
    activations = t.plan.activations

    def counting(X):
        computed["activations"] += 1
        return activations(X)

    monkeypatch.setattr(t.plan, "activations", counting)
    first = t.snapshot(1, "running", extras)
    t.run_epoch()
    second = t.snapshot(2, "running", extras)  # within both intervals: the same pictures, not recomputed
    assert second.hidden is first.hidden and second.grid is first.grid
    assert computed["activations"] == 1
    paused = t.snapshot(3, "paused", extras)  # what a paused (or stepped) run shows is its current state
    assert paused.hidden is not first.hidden and paused.grid is not first.grid
    trained = np.asarray(paused.hidden[hidden_id])
    assert not np.array_equal(trained, np.asarray(first.hidden[hidden_id]))
    np.testing.assert_allclose(trained, activations(t.X_val[:300])[hidden_id], rtol=1e-6)
    monkeypatch.setattr(trainer_module, "HIDDEN_INTERVAL", 0.0)
    assert t.snapshot(4, "running", extras).hidden is not paused.hidden  # the interval over: refreshed
    other = t.snapshot(5, "running", Extras(hidden_node=hidden_id, hidden_samples=5))
    assert len(next(iter(other.hidden.values()))) == 5  # asked for something else: computed for it
