"""The sequence views, fed hand-made snapshots with internals; checked by what the widgets then show."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from nnstudio.training.internals import Throttle, collect, grad_norm_per_step
from nnstudio.training.snapshot import LayerSnapshot
from nnstudio.ui.plots import catalog
from nnstudio.ui.plots.sequences import AttentionDock, HiddenStateDock, TimeGradDock
from tests.ui.conftest import shown as show


class Snap:
    """Only what the sequence views read from a snapshot."""

    def __init__(self, internals, names):
        self.internals = internals
        self.layers = tuple(LayerSnapshot(nid, name, "LSTM") for nid, name in names.items())
        self.seq = 1


def hidden_states(n=4, seq=12, units=5, seed=0):
    return np.tanh(np.random.default_rng(seed).normal(size=(n, seq, units)))


def test_hidden_state_heat_map_is_time_by_unit_for_the_chosen_example(qtbot):
    dock = show(qtbot, HiddenStateDock())
    h = hidden_states()
    h2 = hidden_states(seed=1)[:, :, :3]
    dock.update_snapshot(Snap({"n1": {"hidden": h}, "n2": {"hidden": h2}}, {"n1": "LSTM 1", "n2": "GRU 2"}))
    assert [dock.node.itemText(i) for i in range(dock.node.count())] == ["LSTM 1", "GRU 2"]
    img = dock.image.image
    assert img.shape == (5, 12)  # rows: units, columns: time
    np.testing.assert_allclose(img, h[0].T)
    top = np.abs(h[0]).max()
    assert dock.levels == pytest.approx((-top, top))  # symmetric: zero is the neutral colour
    assert "LSTM 1: example 0, 5 units x 12 steps" in dock.plot.getPlotItem().titleLabel.text
    dock.sample.setFocus()
    qtbot.keyClick(dock.sample, Qt.Key_Up)  # the next example
    np.testing.assert_allclose(dock.image.image, h[1].T)
    assert dock.sample.maximum() == 3
    dock.node.setFocus()
    qtbot.keyClick(dock.node, Qt.Key_Down)  # the other layer
    assert dock.image.image.shape == (3, 12) and not dock.note.isVisible()


def test_hidden_state_dock_says_when_there_is_nothing_to_show(qtbot):
    dock = show(qtbot, HiddenStateDock())
    dock.update_snapshot(Snap(None, {}))
    assert dock.note.isVisible() and "RNN, LSTM and GRU" in dock.note.text() and not dock.plot.isVisible()
    assert dock.needs() == {"internals": True}


def test_gradient_per_step_draws_one_log_curve_per_recurrent_layer(qtbot):
    dock = show(qtbot, TimeGradDock())
    steps = np.arange(20)
    rnn = 0.5 ** (19 - steps)  # vanishing towards the first step
    lstm = np.full(20, 0.3)
    dock.update_snapshot(Snap({"r": {"hidden_grad_norm": rnn}, "l": {"hidden_grad_norm": lstm}},
                              {"r": "RNN", "l": "LSTM"}))
    assert set(dock.curves) == {"r", "l"}
    x, y = dock.curves["r"].getData()
    np.testing.assert_allclose(x, steps)
    np.testing.assert_allclose(10 ** y, rnn)  # displayed on a log axis: log10 of the data
    assert dock.plot.getPlotItem().getAxis("left").logMode
    assert "RNN (first / last step: 1.9e-06)" in dock.legend.text() and "LSTM (first / last step: 1)" in \
        dock.legend.text()
    dock.update_snapshot(Snap({"l": {"hidden_grad_norm": lstm}}, {"l": "LSTM"}))
    assert set(dock.curves) == {"l"}  # a deleted layer's curve goes

    # far-vanished norms keep their true size on the log axis; an exactly zero one is a gap
    tiny = np.array([0.0, 1e-30, 1e-15, 1e-3, 1.0])
    dock.update_snapshot(Snap({"l": {"hidden_grad_norm": tiny}}, {"l": "LSTM"}))
    _, y = dock.curves["l"].getData()
    assert np.isnan(y[0])
    np.testing.assert_allclose(10 ** y[1:], tiny[1:], rtol=1e-6)


def test_attention_heat_map_per_head_and_example(qtbot):
    dock = show(qtbot, AttentionDock())
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(3, 2, 6, 6))
    att = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    dock.update_snapshot(Snap({"a": {"attention": att}}, {"a": "Attention"}))
    np.testing.assert_allclose(dock.image.image, att[0, 0])
    assert dock.image.levels[0] == 0 and dock.image.levels[1] == pytest.approx(att[0, 0].max())
    dock.head.setFocus()
    qtbot.keyClick(dock.head, Qt.Key_Up)
    np.testing.assert_allclose(dock.image.image, att[0, 1])
    assert dock.head.maximum() == 1 and "head 1" in dock.plot.getPlotItem().titleLabel.text


def test_internals_are_collected_from_the_plan_a_few_samples_at_a_time():
    h = hidden_states(n=32)
    g = hidden_states(n=32, seed=3) * np.linspace(0.01, 1, 12)[None, :, None]

    class Plan:
        calls = 0

        def internals(self, nid):
            Plan.calls += 1
            if nid == "lstm":
                return {"hidden": h, "hidden_grad": g}
            if nid == "dense":
                return {}
            if nid == "bn":  # other ops expose buffers the sequence views do not draw
                return {"xhat": np.ones((32, 4, 4))}
            raise KeyError(nid)

    got = collect(Plan(), ["lstm", "dense", "bn", "gone"], samples=8)
    assert set(got) == {"lstm"} and got["lstm"]["hidden"].shape == (8, 12, 5)
    assert not got["lstm"]["hidden"].flags.writeable
    np.testing.assert_allclose(got["lstm"]["hidden_grad_norm"], np.linalg.norm(g, axis=2).mean(axis=0))
    np.testing.assert_allclose(grad_norm_per_step(g), [np.mean([np.linalg.norm(s[t]) for s in g]) for t in range(12)])
    assert collect(object(), ["lstm"]) is None  # an engine without internals
    throttle = Throttle(interval=60)
    first = throttle.get(Plan(), ["lstm"], 0, running=True)
    calls = Plan.calls
    assert throttle.get(Plan(), ["lstm"], 0, running=True) is first and Plan.calls == calls
    assert throttle.get(Plan(), ["lstm"], 1, running=True) is not first  # a new plan: collected again
    assert throttle.get(Plan(), ["lstm"], 1, running=False) is not None and Plan.calls > calls + 1


def test_the_sequence_views_apply_only_to_graphs_with_such_nodes():
    import nnstudio as ns

    g = ns.Graph()
    g.add("Input", shape=[50, 2])
    recurrent = catalog.has_kinds("RNN", "LSTM", "GRU")
    assert not recurrent(None, g) and not recurrent(None, None)
    g.add("LSTM", hidden_size=8)
    assert recurrent(None, g)
    views = {v.attr: v for v in catalog.VIEWS}
    assert views["hidden_state_dock"].slot == "lower"
    assert views["time_grad_dock"].slot == "lower"
    assert views["hidden_state_dock"].applies(None, g) and views["time_grad_dock"].applies(None, g)
    assert not views["attention_dock"].applies(None, g)
    dense = ns.Graph()
    dense.add("Input", shape=[2])
    dense.add("Dense", units=3)
    assert not views["time_grad_dock"].applies(None, dense) and not views["hidden_state_dock"].applies(None, dense)


def test_the_view_picker_offers_the_sequence_views_once_the_network_has_an_lstm(window, qtbot):
    button = window.decision_dock.titleBarWidget().button

    def listed() -> list[str]:
        button.menu().aboutToShow.emit()
        return [a.text() for a in button.menu().actions()]

    assert "Hidden state over time" not in listed()
    window.project.graph.add("LSTM", hidden_size=8)
    names = listed()
    assert "Hidden state over time" in names and "Gradient size per time step" in names
    assert "Attention weights" not in names


def test_hidden_states_come_from_fixed_examples_and_gradients_from_the_training_batch():
    train_h, train_g = hidden_states(n=32), hidden_states(n=32, seed=3)

    class Plan:
        batch_size = 32

        def __init__(self):
            self.last = {"hidden": train_h, "hidden_grad": train_g}

        def forward(self, x):  # an eval pass: hidden states of x, no gradients
            self.last = {"hidden": np.repeat(x[:, :, None], 5, axis=2)}
            return x

        def internals(self, nid):
            return self.last

    fixed = np.random.default_rng(0).normal(size=(50, 12))
    got = collect(Plan(), ["lstm"], samples=8, fixed=fixed)["lstm"]
    np.testing.assert_allclose(got["hidden"][:, :, 0], fixed[:8])  # the same 8 examples every time
    np.testing.assert_allclose(got["hidden_grad"], train_g[:8])
    np.testing.assert_allclose(got["hidden_grad_norm"], grad_norm_per_step(train_g))


@pytest.mark.parametrize("cls, key, value", [
    (HiddenStateDock, "hidden", hidden_states()),
    (TimeGradDock, "hidden_grad_norm", np.linspace(0.1, 1, 12)),
    (AttentionDock, "attention", np.full((2, 1, 4, 4), 0.25)),
])
def test_before_data_and_after_a_reset_only_the_note_shows(qtbot, cls, key, value):
    dock = show(qtbot, cls())
    assert dock.note.isVisible() and not dock.plot.isVisible()
    dock.update_snapshot(Snap({"n": {key: value}}, {"n": "layer"}))
    assert dock.plot.isVisible() and not dock.note.isVisible()
    dock.clear()  # New, Open, a data change, Reset
    assert dock.note.isVisible() and not dock.plot.isVisible() and dock.snapshot is None
