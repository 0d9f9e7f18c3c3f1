"""The threaded session: controls from any thread, snapshots, divergence, stress."""
from __future__ import annotations

import random
import threading
import time

import numpy as np
import pytest

from nnstudio.errors import TrainingError
from nnstudio.training import Extras, Session, trainer_for_project
from tests.training.conftest import toy_project


@pytest.fixture
def session(xor_project):
    s = Session(trainer_for_project(xor_project), snapshot_hz=200)
    yield s
    s.close()


def test_start_runs_to_the_epoch_limit(session):
    session.start()
    assert session.wait(("finished",), timeout=60)
    snap = session.latest_snapshot()
    assert snap.state == "finished" and snap.epoch == 30
    assert snap.metrics["val_accuracy"] >= 0.9
    assert "finished 30 epochs" in snap.message


def test_step_and_epoch_then_pause(session):
    session.step()
    assert session.wait(timeout=30)
    snap = session.latest_snapshot()
    assert (snap.state, snap.step, snap.epoch) == ("paused", 1, 0)
    session.step(3)
    session.wait(timeout=30)
    assert session.latest_snapshot().step == 4
    session.run_epoch()
    session.wait(timeout=30)
    snap = session.latest_snapshot()
    assert snap.epoch == 1 and snap.state == "paused" and len(snap.curves.train_loss) == 1


def test_pause_stops_and_resume_continues(session):
    session.update_settings(epochs=100000)
    session.start()
    time.sleep(0.3)
    session.pause()
    assert session.wait(("paused",), timeout=30)
    step = session.latest_snapshot().step
    time.sleep(0.2)
    assert session.latest_snapshot().step == step and session.state == "paused"
    session.resume()
    time.sleep(0.2)
    session.stop()
    session.wait(("stopped",), timeout=30)
    assert session.latest_snapshot().step > step


def test_reset_reinitialises_from_seed(session):
    session.run_epoch()
    session.wait(timeout=30)
    first = session.latest_snapshot().curves.train_loss[0]
    session.step(5)
    session.reset()
    session.wait(timeout=30)
    snap = session.latest_snapshot()
    assert (snap.step, snap.epoch, len(snap.curves.epoch)) == (0, 0, 0)
    session.run_epoch()
    session.wait(timeout=30)
    assert session.latest_snapshot().curves.train_loss[0] == first


def test_settings_are_checked_in_the_callers_thread(session):
    with pytest.raises(TrainingError, match="lr must be"):
        session.update_settings(lr=-1)
    session.update_settings(lr=0.001, batch_size=4)
    session.step()
    session.wait(timeout=30)
    assert session.settings.lr == 0.001 and session.latest_snapshot().lr == 0.001


def test_divergence_pauses_and_rollback_restores_finite_params():
    s = Session(trainer_for_project(toy_project("spiral", n=300, hidden=16, epochs=200), lr=100.0), snapshot_hz=0)
    try:
        s.set_extras(Extras(params=True))
        s.start()
        assert s.wait(("diverged",), timeout=60), s.state
        snap = s.latest_snapshot()
        assert snap.divergence is not None and "learning rate 100 is probably too high" in snap.message
        s.rollback(halve_lr=True)
        s.wait(timeout=30)
        snap = s.latest_snapshot()
        assert snap.state == "paused" and snap.lr == 50.0
        assert all(np.isfinite(w).all() for p in snap.params.values() for w in p.values())
    finally:
        s.close()


def test_stress_random_commands_from_another_thread():
    """Thousands of commands at random moments: no deadlock, no crash, consistent snapshots."""
    s = Session(trainer_for_project(toy_project("circle", n=160, epochs=100000)), snapshot_hz=1000)
    seen = []
    s.on_snapshot = seen.append
    rng = random.Random(7)
    errors = []

    def hammer():
        try:
            for _ in range(3000):
                op = rng.random()
                if op < 0.25:
                    s.start()
                elif op < 0.45:
                    s.pause()
                elif op < 0.6:
                    s.step(rng.randint(1, 3))
                elif op < 0.75:
                    s.update_settings(lr=rng.choice([0.001, 0.01, 0.05]))
                elif op < 0.8:
                    s.update_settings(batch_size=rng.choice([8, 16]))
                elif op < 0.9:
                    s.stop()
                elif op < 0.93:
                    s.reset()
                else:
                    s.run_epoch()
                if rng.random() < 0.05:
                    time.sleep(0.001)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=hammer) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads), "controls deadlocked"
    assert errors == []
    s.stop()
    assert s.wait(("stopped",), timeout=60), f"worker stuck in {s.state}"
    s.close()
    assert s.state == "stopped"
    assert seen, "no snapshots were published"
    seqs = [snap.seq for snap in seen]
    assert seqs == sorted(seqs)
    for snap in seen:
        c = snap.curves
        assert len(c.epoch) == len(c.train_loss) == len(c.val_loss) == snap.epoch
        assert snap.state in ("idle", "running", "paused", "finished", "stopped")
        assert not c.train_loss.flags.writeable


def test_the_time_spent_building_snapshots_is_counted(xor_project):
    trainer = trainer_for_project(xor_project)
    build = trainer.snapshot
    built: list[int] = []

    def slow_snapshot(*args, **kwargs):
        time.sleep(0.01)  # a snapshot as costly as a big network's hidden activations
        built.append(1)
        return build(*args, **kwargs)

    trainer.snapshot = slow_snapshot
    s = Session(trainer, snapshot_hz=50)
    try:
        s.start()
        assert s.wait(("finished",), timeout=60)
        assert len(built) >= 2
        assert 0.01 * len(built) <= s.snapshot_seconds < 0.01 * len(built) + 1.0
    finally:
        s.close()
