"""A training session: a :class:`Trainer` driven by a worker thread.

Controls (start, pause, resume, step, epoch, stop, reset, settings changes,
rollback) are safe to call from any thread: they only queue a command and
wake the worker, which applies it between compiled chunks. The worker hands
out immutable :class:`Snapshot` objects at a rate the consumer sets; the UI
reads the latest one on a timer and never waits for the worker.
"""
from __future__ import annotations

import math
import threading
import time
import traceback
from collections import deque
from pathlib import Path
from typing import Any, Callable

from nnstudio.errors import NNStudioError, TrainingError
from nnstudio.training.runs import Run
from nnstudio.training.settings import TrainingSettings
from nnstudio.training.snapshot import Snapshot
from nnstudio.training.trainer import Extras, Trainer

STATES = ("idle", "running", "paused", "diverged", "finished", "stopped", "error")
# How long a caller waits for the worker at most: for the lock (held only for bookkeeping)
# and for a copy of the weights (taken between compiled chunks of about 0.1 s).
LOCK_TIMEOUT = 5.0
WEIGHTS_TIMEOUT = 10.0
MAX_SNAPSHOT_HZ = 1000.0
MAX_GRID_RESOLUTION = 1024
MAX_HIDDEN_SAMPLES = 100_000
MAX_STEPS = 10**9


def check_count(name: str, value: Any, high: int = MAX_STEPS) -> int:
    """A whole number from 1 to ``high`` (our error otherwise)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= high:
        shown = repr(value) if len(repr(value)) < 40 else repr(value)[:37] + "..."
        raise TrainingError(f"{name} must be a whole number from 1 to {high:,}; got {shown}")
    return int(value)


def check_extras(extras: Any) -> Extras:
    """Extras whose sizes are bounded: a 10**6 x 10**6 grid would exhaust memory in the worker."""
    if not isinstance(extras, Extras):
        raise TrainingError(f"extras must be an Extras object; got {type(extras).__name__}")
    if extras.grid is not None:
        try:
            *box, res = extras.grid
            ok = len(box) == 4 and all(math.isfinite(float(v)) for v in box)
        except (TypeError, ValueError):
            ok, res = False, None
        if not ok:
            raise TrainingError(f"the grid must be (xmin, xmax, ymin, ymax, resolution); got {extras.grid!r}")
        check_count("the grid resolution", res, MAX_GRID_RESOLUTION)
    check_count("hidden_samples", extras.hidden_samples, MAX_HIDDEN_SAMPLES)
    if extras.sample_index is not None and (isinstance(extras.sample_index, bool)
                                            or not isinstance(extras.sample_index, int)):
        raise TrainingError(f"sample_index must be a whole number; got {extras.sample_index!r}")
    return extras


class Session:
    """Runs a :class:`Trainer` in a background thread with live controls.

    Parameters
    ----------
    trainer : Trainer
        What to train. After construction only the worker thread touches it.
    snapshot_hz : float
        Upper bound on snapshots per second while running (0 = only on state changes).
    on_snapshot : callable, optional
        Called from the worker thread with each new snapshot (must not touch Qt).
    """

    def __init__(self, trainer: Trainer, snapshot_hz: float = 30.0,
                 on_snapshot: Callable[[Snapshot], Any] | None = None) -> None:
        self._trainer = trainer
        self._cond = threading.Condition()
        self._commands: deque[tuple[str, Any]] = deque()
        self._state = "idle"
        self._pending_batches = 0
        self._pending_epoch = False
        self._extras = Extras()
        self._interval = 1.0 / snapshot_hz if snapshot_hz > 0 else float("inf")
        self._latest: Snapshot | None = None
        self._seq = 0
        self._last_publish = 0.0
        self._closed = False
        self._publishing = False
        self._applying = False  # commands taken from the queue and being applied
        self._message = ""
        self._started_at: float | None = None
        self._train_seconds = 0.0
        # the training thread's time spent building snapshots: what the live views cost training
        self.snapshot_seconds = 0.0
        self._run_started = time.strftime("%Y-%m-%dT%H:%M:%S")
        self.on_snapshot = on_snapshot
        self._thread = threading.Thread(target=self._loop, name="nnstudio-training", daemon=True)
        self._thread.start()
        self._command("publish", None)

    @classmethod
    def from_project(cls, project: Any, base_dir: str | Path | None = None, **kwargs: Any) -> "Session":
        """A session for a :class:`~nnstudio.io.Project` (loads its data, compiles its graph)."""
        from nnstudio.training.project import trainer_for_project

        return cls(trainer_for_project(project, base_dir), **kwargs)

    # --- controls (any thread) ---------------------------------------------------
    # Every argument is checked here, in the caller's thread, with our own error: a bad value
    # that reached the worker used to kill it, and the window then waited for it for ever.
    def _command(self, name: str, arg: Any = None) -> None:
        # the worker holds the lock only for bookkeeping (never while it compiles or trains),
        # so this wait is short; the timeout is a guard, not a normal path
        if not self._cond.acquire(timeout=LOCK_TIMEOUT):
            raise TrainingError(f"the training thread did not answer within {LOCK_TIMEOUT:g} s - "
                                "press Reset or save the project and restart nnstudio")
        try:
            if self._closed:
                raise TrainingError("the session is closed")
            self._commands.append((name, arg))
            self._cond.notify_all()
        finally:
            self._cond.release()

    def start(self) -> None:
        """Train until the epoch limit, early stopping, divergence, pause or stop."""
        self._command("run")

    resume = start

    def pause(self) -> None:
        self._command("pause")

    def step(self, batches: int = 1) -> None:
        """Train exactly ``batches`` batches, then pause."""
        self._command("step", check_count("batches", batches))

    def run_epoch(self) -> None:
        """Finish the current epoch, then pause."""
        self._command("epoch")

    def stop(self) -> None:
        self._command("stop")

    def reset(self) -> None:
        """Re-initialise the weights from the seed and start a fresh history."""
        self._command("reset")

    def update_settings(self, **changes: Any) -> None:
        """Change settings (lr, optimizer, batch_size, l2, ...) from the next step on.

        Raises TrainingError at once if a value is invalid; the batch size may not exceed the
        number of training samples.
        """
        self.settings.with_changes(**changes)  # validate in the caller's thread
        if "batch_size" in changes:
            n = len(self._trainer.X_train)
            if changes["batch_size"] > n:
                raise TrainingError(f"batch_size must be at most {n} (the number of training samples); "
                                    f"got {changes['batch_size']}")
        self._command("settings", dict(changes))

    def rollback(self, halve_lr: bool = False) -> None:
        """After divergence: restore the last good weights (optionally halving the rate) and pause."""
        self._command("rollback", bool(halve_lr))

    def set_extras(self, extras: Extras) -> None:
        """What snapshots should carry besides statistics (grid, params, hidden activations)."""
        self._command("extras", check_extras(extras))

    def set_snapshot_rate(self, hz: float) -> None:
        """Snapshots per second at most while running (0 = only on state changes)."""
        if isinstance(hz, bool) or not isinstance(hz, (int, float)) or not math.isfinite(hz) \
                or not 0 <= hz <= MAX_SNAPSHOT_HZ:
            raise TrainingError(f"the snapshot rate must be a number from 0 to {MAX_SNAPSHOT_HZ:g} per second; "
                                f"got {hz!r}")
        self._command("rate", float(hz))

    def close(self, timeout: float = 10.0) -> None:
        """Stop the worker and wait for it (at most ``timeout`` seconds: it is a daemon thread)."""
        if self._cond.acquire(timeout=LOCK_TIMEOUT):
            try:
                self._closed = True
                self._cond.notify_all()
            finally:
                self._cond.release()
        else:
            self._closed = True
        self._thread.join(timeout)

    # --- reading (any thread) -------------------------------------------------------
    @property
    def state(self) -> str:
        return self._state

    @property
    def dataset(self) -> Any:
        """The session's data (never modified while training, so safe to read from any thread)."""
        return self._trainer.dataset

    @property
    def settings(self) -> TrainingSettings:
        return self._trainer.settings

    def latest_snapshot(self) -> Snapshot | None:
        return self._latest

    def wait(self, states: tuple[str, ...] = ("paused", "diverged", "finished", "stopped", "error", "idle"),
             timeout: float | None = None) -> bool:
        """Block until the session is idle (no queued work) in one of ``states``; False on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while not (self._state in states and not self._commands and not self._busy()
                       and not self._publishing) and self._thread.is_alive():
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._cond.wait(remaining)
        return True

    def run_record(self) -> Run:
        """The run so far, as stored in the project's ``runs``."""
        with self._cond:
            return Run.from_trainer(self._trainer, self._state, self._run_started, self._train_seconds)

    @property
    def message(self) -> str:
        """What the worker last said (the reason of an error state, for instance)."""
        return self._message

    @property
    def alive(self) -> bool:
        """Whether the worker thread runs (it only ends on close)."""
        return self._thread.is_alive()

    def weights(self, timeout: float = WEIGHTS_TIMEOUT) -> dict:
        """A copy of the current weights (waits until the worker is between chunks).

        Raises TrainingError if the worker does not answer within ``timeout`` seconds (it is in a
        long compiled chunk, or gone) or could not copy them.
        """
        box: dict = {}
        self._command("weights", box)
        deadline = time.monotonic() + timeout
        with self._cond:
            while "weights" not in box and "error" not in box and not self._closed and self._thread.is_alive():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TrainingError(f"the training thread did not answer within {timeout:g} s; "
                                        "the weights were not copied")
                self._cond.wait(min(remaining, 0.5))
        if "error" in box:
            raise TrainingError(f"the weights could not be copied: {box['error']}")
        if "weights" not in box:
            raise TrainingError("the training session has ended; the weights were not copied")
        return box["weights"]

    def saved_state(self) -> tuple[dict, dict]:
        """Copies of the weights and the training state (``Trainer.training_state``) for saving."""
        box: dict = {}
        self._command("saved_state", box)
        self._await(box)
        return box.get("weights", {}), box.get("state", {})

    def load_weights(self, weights: dict) -> list[str]:
        """Copy tensors into the live parameters where shapes match (between chunks) and publish
        a snapshot of the result; returns the ``NODE_ID/TENSOR`` keys that did not fit."""
        box: dict = {"arg": weights}
        self._command("load_weights", box)
        self._await(box)
        return box.get("skipped", [])

    def _await(self, box: dict, timeout: float = WEIGHTS_TIMEOUT) -> None:
        """Wait for the worker's answer in ``box``; TrainingError if it fails or does not come in time."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while "done" not in box and not self._closed and self._thread.is_alive():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TrainingError(f"the training thread did not answer within {timeout:g} s")
                self._cond.wait(min(remaining, 0.5))
        if "error" in box:
            raise TrainingError(box["error"])
        if "done" not in box:
            raise TrainingError("the training session has ended")

    # --- worker ------------------------------------------------------------------------
    def _busy(self) -> bool:
        return self._state == "running" or self._pending_batches > 0 or self._pending_epoch or self._applying

    def _loop(self) -> None:
        while True:
            try:
                if self._loop_once():
                    return
            except Exception as exc:  # noqa: BLE001 - the worker must outlive any bug: it reports it
                with self._cond:
                    self._set_state("error", _describe_error(exc))
                    self._pending_batches, self._pending_epoch = 0, False
                    self._applying = False
                    self._publishing = True
                try:
                    self._publish(force=True)
                except Exception:  # noqa: BLE001 - a consumer's callback failed; the state says enough
                    pass

    def _loop_once(self) -> bool:
        """One round of the worker: apply commands, train one chunk, publish. True when closed."""
        t = self._trainer
        with self._cond:
            if self._closed:
                return True
            commands = list(self._commands)
            self._commands.clear()
            self._applying = bool(commands)
        # heavy commands (reset and batch-size changes compile) run outside the lock, so a
        # control pressed meanwhile is queued at once instead of waiting for the compiler
        changed = self._apply_commands(commands)
        with self._cond:
            self._applying = False
            busy = self._busy()
            if not changed and not busy:
                if not self._commands and not self._closed:
                    self._cond.notify_all()
                    self._cond.wait()
                return False
            batches = self._pending_batches or None
            self._publishing = changed
        if changed:  # snapshots are built outside the lock: controls never wait for them
            self._publish(force=True)
        if not busy:
            return False
        began = time.perf_counter()
        try:
            before = t.epoch
            steps = t.train_batches(batches)
            finished_epoch = t.epoch != before
        except Exception as exc:  # forwarded to the UI, never swallowed
            with self._cond:
                self._set_state("error", _describe_error(exc))
                self._pending_batches, self._pending_epoch = 0, False
                self._publishing = True
            self._publish(force=True)
            return False
        with self._cond:
            self._train_seconds += time.perf_counter() - began
            changed = False
            if self._pending_batches:
                self._pending_batches = max(0, self._pending_batches - steps)
                if not self._pending_batches:
                    changed = self._set_state("paused", f"took {steps} step{'s' * (steps != 1)}, "
                                                        f"now at step {t.step_count}")
            if self._pending_epoch and finished_epoch:
                self._pending_epoch = False
                changed = self._set_state("paused", f"finished epoch {t.epoch}") or changed
            if t.divergence is not None:
                self._pending_batches, self._pending_epoch = 0, False
                changed = self._set_state("diverged", t.divergence.message)
            elif t.done and self._state == "running":
                why = "stopped early: validation loss stopped improving" if t.stopped_early else \
                    f"finished {t.epoch} epochs"
                changed = self._set_state("finished", why)
            self._publishing = True
        self._publish(force=changed)
        return False

    def _set_state(self, state: str, message: str = "") -> bool:
        changed = state != self._state or message != self._message
        self._state = state
        self._message = message
        return changed

    def _apply_commands(self, commands: list[tuple[str, Any]]) -> bool:
        """Apply commands in order (worker thread, lock not held). True if state changed."""
        t = self._trainer
        changed = False
        for name, arg in commands:
            changed = True
            try:
                if name == "run":
                    if self._state == "diverged":
                        continue  # the user must roll back first
                    if t.done:
                        self._set_state("finished", "the epoch limit is reached - raise it to train on")
                        continue
                    self._set_state("running", "training")
                elif name == "pause":
                    self._pending_batches, self._pending_epoch = 0, False
                    if self._state == "running":
                        self._set_state("paused", f"paused at step {t.step_count}")
                elif name == "step" and self._state != "diverged":
                    self._pending_batches, self._pending_epoch = arg, False
                    self._state = "paused"
                elif name == "epoch" and self._state != "diverged":
                    self._pending_batches, self._pending_epoch = 0, True
                    self._state = "paused"
                elif name == "stop":
                    self._pending_batches, self._pending_epoch = 0, False
                    self._set_state("stopped", f"stopped at epoch {t.epoch}")
                elif name == "reset":
                    t.reset()
                    self._pending_batches, self._pending_epoch = 0, False
                    self._train_seconds = 0.0
                    self._run_started = time.strftime("%Y-%m-%dT%H:%M:%S")
                    self._set_state("idle", "weights re-initialised")
                elif name == "settings":
                    t.apply_settings(t.settings.with_changes(**arg))
                elif name == "rollback":
                    if t.divergence is not None:
                        t.rollback(halve_lr=arg)
                        self._set_state("paused", f"rolled back; learning rate {t.lr:g}")
                elif name == "extras":
                    self._extras = arg
                elif name == "rate":
                    self._interval = 1.0 / arg if arg > 0 else float("inf")
                elif name == "weights":
                    try:
                        arg["weights"] = t.weights()
                    except Exception as exc:  # noqa: BLE001 - the caller is told and stops waiting
                        arg["error"] = _describe_error(exc)
                        raise
                elif name == "saved_state":
                    try:
                        arg["weights"], arg["state"] = t.weights(), t.training_state()
                    except Exception as exc:  # noqa: BLE001 - the caller is told and stops waiting
                        arg["error"] = _describe_error(exc)
                        raise
                    finally:
                        arg["done"] = True
                elif name == "load_weights":
                    try:
                        arg["skipped"] = t.load_weights(arg["arg"])
                        t._keep_rollback_point()  # a rollback must not undo the loaded weights
                    except Exception as exc:  # noqa: BLE001 - the caller is told and stops waiting
                        arg["error"] = _describe_error(exc)
                        raise
                    finally:
                        arg["done"] = True
            except NNStudioError as exc:
                with self._cond:
                    self._set_state("error" if name == "reset" else self._state, str(exc))
            except Exception as exc:  # noqa: BLE001 - a bug: the session says so and stays usable
                with self._cond:
                    self._pending_batches, self._pending_epoch = 0, False
                    self._set_state("error", _describe_error(exc))
            finally:
                with self._cond:
                    self._cond.notify_all()  # a caller may wait for this command's answer
        return changed

    def _publish(self, force: bool = False) -> None:
        """Build and hand out a snapshot if one is due (worker thread, lock not held)."""
        try:
            now = time.perf_counter()
            if not force and now - self._last_publish < self._interval:
                return
            with self._cond:
                self._seq += 1
                seq, state, message, extras = self._seq, self._state, self._message, self._extras
            try:
                snap = self._trainer.snapshot(seq, state, extras, message)
            except Exception as exc:  # a snapshot must never kill training
                with self._cond:
                    self._message = f"could not build the live view data: {_describe_error(exc)}"
                return
            finally:
                self.snapshot_seconds += time.perf_counter() - now
            self._latest = snap
            self._last_publish = now
            if self.on_snapshot is not None:
                self.on_snapshot(snap)
        finally:
            with self._cond:
                self._publishing = False
                self._cond.notify_all()


def _describe_error(exc: BaseException) -> str:
    if isinstance(exc, NNStudioError):
        return str(exc)
    last = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    where = f" (in {last[0].name})" if last else ""
    return f"an internal error stopped training: {type(exc).__name__}: {exc}{where}"
