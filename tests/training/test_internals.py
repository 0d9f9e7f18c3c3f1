"""Snapshots carry sequence internals only when asked, only for nodes that have them, throttled."""
from __future__ import annotations

import numpy as np

from nnstudio.training import Extras
from nnstudio.training.project import trainer_for_project
from tests.training.conftest import toy_project


def test_internals_ride_in_the_snapshot_when_a_view_asks(monkeypatch):
    trainer = trainer_for_project(toy_project("xor", n=80))
    trainer.run_epoch()
    assert trainer.snapshot(1, "paused", Extras()).internals is None
    plan = trainer.plan
    some = next(iter(trainer.graph.nodes))
    seen = []

    def internals(nid):  # what the engine gives for a recurrent node (batch-first copies)
        if nid != some:
            return {}
        seen.append(nid)
        n = 5
        return {"hidden": np.ones((n, 7, 3)), "hidden_grad": np.full((n, 7, 3), 2.0)}

    monkeypatch.setattr(plan, "internals", internals, raising=False)
    snap = trainer.snapshot(2, "paused", Extras(internals=True))
    assert set(snap.internals) == {some}
    got = snap.internals[some]
    assert got["hidden"].shape == (5, 7, 3) and not got["hidden"].flags.writeable
    np.testing.assert_allclose(got["hidden_grad_norm"], np.full(7, np.sqrt(12.0)))
    calls = len(seen)
    trainer.snapshot(3, "running", Extras(internals=True))  # within the interval while running: kept
    assert len(seen) == calls
    assert trainer.snapshot(4, "paused", Extras()).internals is None
