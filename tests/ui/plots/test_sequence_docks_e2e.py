"""End to end: an LSTM trains a few steps on the adding problem; the sequence views show its internals.

"""
from __future__ import annotations

import numpy as np
import pytest

import nnstudio as ns
from nnstudio.training import Extras
from nnstudio.training.project import trainer_for_project
from nnstudio.ui.plots.sequences import HiddenStateDock, TimeGradDock


def lstm_project(kind: str = "LSTM") -> ns.Project:
    g = ns.Graph()
    x = g.add("Input", shape=[20, 2])
    r = g.add(kind, hidden_size=8)
    d = g.add("Dense", units=1)
    o = g.add("Output", loss="mse")
    g.connect(x, r), g.connect(r, d), g.connect(d, o)
    return ns.Project(graph=g, data={"source": "sequence", "task": "adding", "n": 200, "length": 20},
                      training={"optimizer": "adam", "lr": 0.01, "batch_size": 32, "threads": 1})


def test_an_lstm_in_training_fills_the_hidden_state_view(qtbot):
    trainer = trainer_for_project(lstm_project())
    if not hasattr(trainer.plan, "internals"):
        pytest.skip("the engine has no plan.internals yet (engine-registry not merged)")
    trainer.train_batches(5)
    snap = trainer.snapshot(1, "paused", Extras(internals=True))
    lstm = next(n.id for n in trainer.graph.nodes.values() if n.kind == "LSTM")
    assert snap.internals is not None and lstm in snap.internals, "the LSTM exposes no internals"
    got = snap.internals[lstm]
    assert got["hidden"].shape[1:] == (20, 8) and np.abs(got["hidden"]).max() > 0
    # d loss / d h_t through time: only the last step feeds the head, every step gets a gradient
    assert got["hidden_grad_norm"].shape == (20,) and np.all(got["hidden_grad_norm"] > 0)
    hidden, grads = HiddenStateDock(), TimeGradDock()
    for dock in (hidden, grads):
        qtbot.addWidget(dock)
        dock.resize(480, 360)
        dock.show()
        dock.update_snapshot(snap)
    assert hidden.image.image.shape == (8, 20) and np.abs(hidden.image.image).max() > 0
    assert not hidden.note.isVisible()
    x, y = grads.curves[lstm].getData()
    assert len(x) == 20 and np.all(np.isfinite(y))
    np.testing.assert_allclose(10 ** np.asarray(y), got["hidden_grad_norm"], rtol=1e-5)  # a log-scale plot
