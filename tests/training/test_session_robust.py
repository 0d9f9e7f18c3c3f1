"""The session never dies silently and never makes its caller wait for ever (issue 16).

Each test names the failure it keeps fixed: a call that used to kill the worker thread (after which
the window waited for ever), continuing after a rollback, a reset after the graph was edited.
"""
from __future__ import annotations

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


def call_with_deadline(fn, seconds=30.0):
    """Run ``fn`` in a thread; fail (instead of hanging the test run) if it does not return in time."""
    box: dict = {}

    def run():
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            box["error"] = exc

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), f"{fn} did not return within {seconds} s (the worker is gone)"
    if "error" in box:
        raise box["error"]
    return box["value"]


def assert_worker_alive(s: Session) -> None:
    """The worker still answers: a step is taken and reported."""
    before = s.latest_snapshot().step if s.latest_snapshot() else 0
    s.step()
    assert s.wait(timeout=30), f"worker did not answer (state {s.state})"
    assert s.latest_snapshot().step == before + 1


def test_huge_batch_size_is_refused_with_our_error_and_the_worker_lives(session):
    with pytest.raises(TrainingError, match=r"batch_size.*1000000000000"):
        session.update_settings(batch_size=10**12)
    n = len(session.dataset.X_train)
    with pytest.raises(TrainingError, match=rf"batch_size must be at most {n}"):
        session.update_settings(batch_size=n + 1)
    session.update_settings(batch_size=n)  # the whole training set is one batch: allowed
    assert_worker_alive(session)


@pytest.mark.parametrize("rate", [float("nan"), -1.0, "fast", None, float("inf")])
def test_bad_snapshot_rate_is_refused_and_the_worker_lives(session, rate):
    with pytest.raises(TrainingError, match="snapshot rate"):
        session.set_snapshot_rate(rate)
    assert_worker_alive(session)


@pytest.mark.parametrize("call", [
    lambda s: s.step(0), lambda s: s.step(-3), lambda s: s.step("many"), lambda s: s.step(2.5),
    lambda s: s.set_extras("grid"), lambda s: s.set_extras(Extras(grid=(0, 1, 0, 1, 10**6))),
    lambda s: s.set_extras(Extras(hidden_samples=-1)), lambda s: s.update_settings(lr=float("nan")),
    lambda s: s.update_settings(threads=10**9), lambda s: s.update_settings(seed=2**70),
])
def test_bad_control_arguments_raise_our_error_at_the_call(session, call):
    with pytest.raises(TrainingError):
        call(session)
    assert_worker_alive(session)


def test_any_exception_in_training_is_an_error_state_and_reset_recovers(session, monkeypatch):
    trainer = session._trainer

    def broken(*_a, **_k):
        raise ZeroDivisionError("simulated bug")

    monkeypatch.setattr(trainer, "train_batches", broken)
    session.step()
    assert session.wait(("error",), timeout=30)
    snap = session.latest_snapshot()
    assert snap.state == "error" and "ZeroDivisionError: simulated bug" in snap.message
    monkeypatch.undo()
    session.reset()
    assert session.wait(("idle",), timeout=30)
    assert_worker_alive(session)


def test_an_exception_in_a_command_does_not_kill_the_worker(session, monkeypatch):
    trainer = session._trainer
    monkeypatch.setattr(trainer, "weights", lambda: 1 / 0)
    with pytest.raises(TrainingError, match="ZeroDivisionError"):
        call_with_deadline(lambda: session.weights(timeout=10))
    monkeypatch.undo()
    assert_worker_alive(session)
    assert call_with_deadline(session.weights)  # and the weights come back again


def test_weights_waits_at_most_its_timeout_when_the_worker_is_busy(session, monkeypatch):
    trainer = session._trainer
    real = trainer.train_batches

    def slow(*a, **k):
        time.sleep(3.0)
        return real(*a, **k)

    monkeypatch.setattr(trainer, "train_batches", slow)
    session.step()
    time.sleep(0.2)
    began = time.monotonic()
    with pytest.raises(TrainingError, match="did not answer"):
        session.weights(timeout=0.5)
    assert time.monotonic() - began < 2.5


def test_controls_never_wait_for_a_slow_reset(session, monkeypatch):
    """A reset recompiles in the worker; the caller's next control returns at once meanwhile."""
    trainer = session._trainer
    real = trainer.reset

    def slow_reset():
        time.sleep(2.0)
        real()

    monkeypatch.setattr(trainer, "reset", slow_reset)
    session.reset()
    time.sleep(0.2)
    began = time.monotonic()
    session.pause()
    session.set_snapshot_rate(10)
    assert time.monotonic() - began < 1.0
    assert session.wait(timeout=30)


def test_delete_a_layer_reset_then_step_does_not_hang():
    """Open xor, Step, delete a Dense layer, Reset, Step: the old session still trains its own copy."""
    project = toy_project()
    s = Session(trainer_for_project(project), snapshot_hz=200)
    try:
        s.step()
        assert s.wait(timeout=30)
        dense = next(n.id for n in project.graph.nodes.values() if n.kind == "Dense")
        project.graph.remove(dense)  # the user's edit on the live graph
        s.reset()
        assert s.wait(timeout=30)
        assert s.state == "idle", s.latest_snapshot().message
        s.step()
        assert s.wait(timeout=30)
        weights = call_with_deadline(lambda: s.weights(timeout=10))
        assert dense in weights  # the session trains the network it was started with
        assert s.latest_snapshot().step == 1
    finally:
        s.close()


def diverged_session() -> Session:
    s = Session(trainer_for_project(toy_project("spiral", n=300, hidden=16, epochs=200), lr=100.0), snapshot_hz=0)
    s.start()
    assert s.wait(("diverged",), timeout=60), s.state
    return s


@pytest.mark.parametrize("halve", [False, True])
def test_step_and_train_after_rollback(halve):
    s = diverged_session()
    try:
        step = s.latest_snapshot().step
        s.rollback(halve_lr=halve)
        assert s.wait(timeout=30)
        s.update_settings(lr=0.001)
        s.step()
        assert s.wait(timeout=30)
        snap = s.latest_snapshot()
        assert snap.state == "paused", snap.message
        assert snap.step == step + 1
        s.start()
        assert s.wait(("running", "finished", "paused", "diverged", "error"), timeout=30)
        time.sleep(0.3)
        s.pause()
        assert s.wait(timeout=30)
        snap = s.latest_snapshot()
        assert snap.state in ("paused", "finished"), snap.message
        assert snap.step > step + 1
        weights = s.weights(timeout=10)
        assert all(np.isfinite(t).all() for p in weights.values() for t in p.values())
    finally:
        s.close()


def test_trainer_continues_after_rollback_at_an_epochs_end(spiral_project):
    """The diverging chunk was the epoch's last: the next chunk used to be empty ("cannot reshape")."""
    t = trainer_for_project(spiral_project, lr=100.0)
    while t.divergence is None:
        t.train_batches()
    t.rollback()
    t.apply_settings(t.settings.with_changes(lr=0.001))
    epoch = t.epoch
    for _ in range(3):
        assert t.train_batches() >= 1
    t.run_epoch()
    assert t.epoch > epoch and t.divergence is None
