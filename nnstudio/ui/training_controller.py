"""Drives a training Session from the main window: the toolbar, the snapshot timer, the live views.

Only the GUI thread touches Qt: the worker publishes snapshots, a 30 Hz timer
picks up the latest one and hands it to the visible docks and the canvas.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QLabel, QSpinBox, QToolBar

from nnstudio.engine import kernels_ready
from nnstudio.errors import NNStudioError
from nnstudio.io import Project
from nnstudio.training import OPTIMIZERS, Extras, Session, TrainingSettings, runs_of, trainer_for_project
from nnstudio.training.project import describe_skipped
from nnstudio.ui.icons import icon
from nnstudio.ui.plots.banner import DivergenceBanner
from nnstudio.ui.saved_weights import weights_loaded

REDRAW_MS = 33  # the views' timer: ~30 ticks a second
# Cheap views (the loss curves) redraw on every tick; the others take turns, this many per tick, so
# that a tick stays short and the window answers clicks while every view is open.
HEAVY_REDRAWS_PER_TICK = 1
CHEAP_EVERY = 2  # ticks between redraws of the cheap views (15 a second)
# While training runs, the views may use this share of the GUI thread's core (drawing and painting,
# measured as thread CPU time). Above it they wait: the training thread needs the interpreter lock
# between its compiled calls, and a busy GUI thread makes it wait for it.
VIEW_CPU_BUDGET = 0.15
CPU_WINDOW = 1.0  # seconds the share is averaged over
SNAPSHOT_HZ = 30.0
# Snapshots that carry weights, hidden activations or a decision grid cost the training thread
# milliseconds each; they are asked for less often.
SNAPSHOT_HZ_WITH_EXTRAS = 12.0
# The GUI waits for the worker's copy of the weights (when the network changed) at most this long.
WEIGHTS_TIMEOUT = 3.0


class NeuronCanvas(Protocol):
    """What the controller shows on the canvas: each neuron's weights and its thumbnail picture."""

    def set_neuron_weights(self, params: Mapping[str, Mapping[str, np.ndarray]] | None) -> None: ...

    def set_neuron_thumbnails(self, images: Mapping[str, np.ndarray] | None) -> None: ...


@dataclass(frozen=True)
class ControllerHost:
    """Everything the controller needs from the window it serves, each named for its use.

    ``project`` is a callable, not a project: the window replaces its project object on open and
    new, and the controller must always train (and record runs in) the current one.
    """

    project: Callable[[], Project]  # the project being trained
    mark_modified: Callable[[], None]  # the project changed outside the undo stack (settings, runs)
    show_problem: Callable[[str], None]  # a network that cannot be trained: point the user at why
    banner: DivergenceBanner  # says why training diverged or failed
    scene: NeuronCanvas  # the canvas, which draws neuron weights and thumbnails
    base_dir: Callable[[], Path | None]  # the project file's folder (relative data paths), None if unsaved
    # the docks' per-dataset set-up (points, input shape, class names, hidden layers) for a new session
    prepare_views: Callable[[Any], None] = lambda trainer: None
    # whether every view is fed although hidden (the GUI benchmark measures them all)
    all_views: Callable[[], bool] = lambda: False


class TrainingController(QObject):
    """Owns the session of the host's project; emits ``message`` for the status bar."""

    message = Signal(str)
    runsChanged = Signal()

    def __init__(self, host: ControllerHost, toolbar: QToolBar, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.toolbar = toolbar
        self.session: Session | None = None
        self.stale = False
        self.last_seq = -1
        self._stored: tuple[Any, int] | None = None  # (run start, step) of the run last kept in the project
        # whether the session's weights are worth saving although it took no step (loaded or imported),
        # and what the status line says about them until training goes on
        self.has_weights = False
        self.weights_note = ""
        self.note_step = 0  # the step the note is about
        self.docks: list[Any] = []
        self.latencies: list[float] = []
        self._turn = 0
        self._tick_count = 0
        self._cpu_mark = (time.perf_counter(), time.thread_time())
        self.view_cpu_share = 0.0
        self._tick_at = time.perf_counter()
        self._error_seq = -1  # the snapshot whose error the banner shows
        self.pending_weights: Any = None  # (project, weights) restored from an autosave, for the next session
        self._build_toolbar()
        self.timer = QTimer(self)
        self.timer.setInterval(REDRAW_MS)
        self.timer.timeout.connect(self.tick)

    # --- toolbar ---------------------------------------------------------------------------
    def _build_toolbar(self) -> None:
        tb = self.toolbar
        self.train_action = tb.addAction(icon("train"), "Train")
        self.train_action.setToolTip("Train the network in the background; press again to pause (F5)")
        self.train_action.setShortcut("F5")
        self.step_action = tb.addAction(icon("step"), "Step")
        self.step_action.setToolTip("Train on one batch and stop: watch a single gradient-descent update (F6)")
        self.step_action.setShortcut("F6")
        self.epoch_action = tb.addAction(icon("epoch"), "Epoch")
        self.epoch_action.setToolTip("Train to the end of the current pass over the data (epoch) and stop (F7)")
        self.epoch_action.setShortcut("F7")
        self.stop_action = tb.addAction(icon("stop"), "Stop")
        self.stop_action.setToolTip("End this run and keep it in the runs list")
        self.reset_action = tb.addAction(icon("reset"), "Reset")
        self.reset_action.setToolTip("Start again from fresh random weights (the seed makes it repeatable)")
        tb.addSeparator()
        self.optimizer = QComboBox()
        self.optimizer.addItems(list(OPTIMIZERS))
        self.optimizer.setToolTip("How each update uses the gradient: sgd is plain gradient descent, adam adapts "
                                  "the step per weight")
        self.lr = QDoubleSpinBox(decimals=5, minimum=0.00001, maximum=100.0, singleStep=0.001, value=0.01)
        self.lr.setToolTip("Learning rate: the size of each step. Too high and training diverges, too low and it "
                           "crawls. Can be changed while training.")
        self.batch = QSpinBox(minimum=1, maximum=65536, value=32)
        self.batch.setToolTip("Examples per update")
        self.epochs = QSpinBox(minimum=1, maximum=1_000_000, value=100)
        self.epochs.setToolTip("Passes over the training data before training stops")
        for label, w in (("optimizer", self.optimizer), ("lr", self.lr), ("batch", self.batch),
                         ("epochs", self.epochs)):
            tb.addWidget(QLabel(f" {label} "))
            tb.addWidget(w)
        tb.addSeparator()
        self.status = QLabel(" not trained yet ")
        self.status.setToolTip("Epoch, steps and training speed")
        tb.addWidget(self.status)
        self._deferred: Any = None  # the click that waits for the kernels (see _engine_ready)
        self._ready_timer = QTimer(self)
        self._ready_timer.setInterval(200)
        self._ready_timer.timeout.connect(self._check_engine)
        self.train_action.triggered.connect(self.toggle)
        self.step_action.triggered.connect(lambda: self._control("step"))
        self.epoch_action.triggered.connect(lambda: self._control("run_epoch"))
        self.stop_action.triggered.connect(self.stop)
        self.reset_action.triggered.connect(self.reset)
        self.lr.valueChanged.connect(lambda v: self._update(lr=float(v)))
        self.optimizer.currentTextChanged.connect(lambda v: self._update(optimizer=v))
        self.batch.valueChanged.connect(lambda v: self._update(batch_size=int(v)))
        self.epochs.valueChanged.connect(lambda v: self._update(epochs=int(v)))

    def show_settings(self, training: dict[str, Any]) -> None:
        """Put a project's saved training settings into the toolbar."""
        try:
            s = TrainingSettings.from_dict(training or {})
        except NNStudioError:
            s = TrainingSettings()
        for w in (self.optimizer, self.lr, self.batch, self.epochs):
            w.blockSignals(True)
        self.optimizer.setCurrentText(s.optimizer)
        self.lr.setValue(s.lr)
        self.batch.setValue(s.batch_size)
        self.epochs.setValue(s.epochs)
        for w in (self.optimizer, self.lr, self.batch, self.epochs):
            w.blockSignals(False)

    def settings_dict(self) -> dict[str, Any]:
        base = dict(self.host.project().training or {})
        base.update({"optimizer": self.optimizer.currentText(), "lr": self.lr.value(),
                     "batch_size": self.batch.value(), "epochs": self.epochs.value()})
        return base

    def _update(self, **changes: Any) -> None:
        self.host.project().training = self.settings_dict()
        self.host.mark_modified()
        if self.session is not None:
            try:
                self.session.update_settings(**changes)
            except NNStudioError as exc:
                self.message.emit(str(exc))

    # --- session --------------------------------------------------------------------------------
    def ensure_session(self) -> bool:
        if self.session is not None and not self.stale and self.session.alive:
            return True
        keep = None
        if self.session is not None and self.session.alive:
            try:  # waits for the worker at most a few seconds; a fresh start is better than a frozen window
                keep = self.session.weights(timeout=WEIGHTS_TIMEOUT)
            except NNStudioError as exc:
                self.message.emit(f"The weights could not be kept ({exc}); training starts from new weights")
        self.close_session(store=True)
        project = self.host.project()
        if keep is None and self.pending_weights is not None and self.pending_weights[0] is project:
            keep = self.pending_weights[1]
        self.pending_weights = None
        project.training = self.settings_dict()
        try:
            # the project's saved weights (and optimizer state) start a first session; later ones
            # continue from the session before
            trainer = trainer_for_project(project, self.base_dir(), use_weights=keep is None)
        except NNStudioError as exc:
            self.message.emit(str(exc))
            self.host.show_problem(str(exc))
            return False
        if keep:
            dropped = describe_skipped(trainer.load_weights(keep), trainer.graph)  # kept where shapes match
            if dropped:
                self.message.emit("The network changed: " + "; ".join(dropped) + " (they start fresh)")
        elif project.weights:
            weights_loaded(self, trainer)
        self.session = Session(trainer, snapshot_hz=SNAPSHOT_HZ)
        self.stale = False
        self.last_seq = -1
        self._stored = None
        for dock in self.docks:
            if hasattr(dock, "clear"):
                dock.clear()
        self._setup_docks(trainer)
        self.apply_extras()
        self.timer.start()
        return True

    def show_saved_weights(self) -> None:
        """A project opened with trained weights: build its session now so every view shows them."""
        if self.host.project().weights and self.session is None and self._engine_ready(self.show_saved_weights):
            self.ensure_session()

    def weights_for_saving(self) -> tuple[Any, Any] | None:
        """``(weights, optimizer state)`` to store in the project, or None to keep the project's own."""
        from nnstudio.ui.saved_weights import weights_for_saving

        return weights_for_saving(self)

    def import_weights(self, path: str | Path) -> Any:
        """Load trained parts from an .npz or project into the network; returns the ImportReport."""
        from nnstudio.ui.saved_weights import import_into

        return import_into(self, Path(path))

    def base_dir(self) -> Path | None:
        return self.host.base_dir()

    def _setup_docks(self, trainer: Any) -> None:
        ds = trainer.dataset
        # a batch cannot be larger than the training set (the session refuses it): the box says so
        n_train = max(1, len(trainer.X_train))
        self.batch.blockSignals(True)
        self.batch.setMaximum(min(65536, n_train))
        self.batch.blockSignals(False)
        self.batch.setToolTip(f"Examples per update (at most {n_train}, the training samples)")
        self.host.prepare_views(trainer)

    def apply_extras(self) -> None:
        if self.session is None:
            return
        merged: dict[str, Any] = {}
        every = self.host.all_views()
        for dock in self.docks:
            if dock.isVisible() or every:
                merged.update(dock.needs())
        extras = Extras(**merged)
        self._call("set_extras", extras)
        heavy = extras.params or extras.grid is not None or extras.hidden_node or extras.sample_index is not None
        self._call("set_snapshot_rate", SNAPSHOT_HZ_WITH_EXTRAS if heavy else SNAPSHOT_HZ)

    def toggle(self) -> None:
        if self.session is not None and self.session.state == "running":
            self._call("pause")
            return
        if self._engine_ready(self.toggle) and self.ensure_session():
            self._call("start")

    def _control(self, name: str) -> None:
        if self._engine_ready(lambda: self._control(name)) and self.ensure_session():
            self._call(name)

    def _engine_ready(self, action: Any) -> bool:
        """Whether the kernels are ready; if not, ``action`` runs once they are.

        Building a trainer runs compiled code: before the first warm-up has compiled the kernels
        (once per install, the better part of a minute) the GUI thread would wait for the compiler.
        """
        if kernels_ready():
            return True
        self._deferred = action
        self.status.setText(" preparing the engine: compiling its kernels (first start only, about a minute)… ")
        self._ready_timer.start()
        return False

    def _check_engine(self) -> None:
        if kernels_ready():
            self._ready_timer.stop()
            action, self._deferred = self._deferred, None
            self.status.setText(" not trained yet ")
            if action is not None:
                action()

    def stop(self) -> None:
        if self.session is not None:
            self._call("stop")

    def _call(self, name: str, *args: Any, **kwargs: Any) -> bool:
        """A session control; an error (a refused value, a worker that does not answer) goes to the status bar."""
        try:
            getattr(self.session, name)(*args, **kwargs)
        except NNStudioError as exc:
            self.message.emit(str(exc))
            return False
        return True

    def reset(self) -> None:
        if self.session is None:
            return
        self._stored = None  # a new run begins; the one before stays in the list
        self.has_weights, self.weights_note = False, ""
        for dock in self.docks:
            dock.clear()
        self.host.banner.hide()
        self._error_seq = -1
        if self.stale or not self.session.alive:
            # the network changed since this session started: the next Train compiles the new one
            # from fresh weights (resetting the old network's weights would be of no use)
            self.close_session(store=True)
            self.status.setText(" not trained yet ")
            self.message.emit("Weights reset - press Train to start the changed network from fresh weights")
            return
        self._call("reset")

    def rollback(self, halve: bool) -> None:
        if self.session is not None and self._call("rollback", halve_lr=halve):
            if halve:
                self.lr.blockSignals(True)
                self.lr.setValue(self.lr.value() / 2)
                self.lr.blockSignals(False)

    def mark_stale(self) -> None:
        """The graph changed: the next Train recompiles (keeping weights whose shapes still match)."""
        if self.session is not None and not self.stale:
            self.stale = True
            if self.session.state == "running":
                self._call("pause")
            self.message.emit("The network changed - press Train to continue with the new network "
                              "(weights are kept where shapes match)")

    def close_session(self, store: bool = True) -> None:
        if self.session is None:
            return
        s = self.session
        self.session = None
        try:
            if s.alive:
                try:
                    s.pause()
                except NNStudioError:
                    pass  # the worker does not answer: the run record below is what it last published
            snap = s.latest_snapshot()
            if store and snap is not None and snap.step > 0 and snap.state not in ("finished", "stopped"):
                self.host.project().runs.append(s.run_record().to_dict())
                self.runsChanged.emit()
        finally:
            s.close()

    # --- the timer -----------------------------------------------------------------------------------
    def tick(self) -> None:
        now = time.perf_counter()
        self.latencies.append(now - self._tick_at - REDRAW_MS / 1000)
        self._tick_at = now
        if self.session is None:
            return
        snap = self.session.latest_snapshot()
        if snap is not None and snap.seq != self.last_seq:
            self.last_seq = snap.seq
            for dock in self.docks:
                dock.offer(snap)
            self._show_snapshot(snap)
        self._measure_cpu(now)
        if self.session.state != "running" or self.view_cpu_share < VIEW_CPU_BUDGET:
            self._redraw_views()

    def _measure_cpu(self, now: float) -> None:
        """The GUI thread's CPU share (drawing, painting, everything), averaged over about a second.

        A moving average, not the last quarter second: with a short window the views drew in bursts
        whenever one quiet window let them, and the thread used half again its budget.
        """
        t0, c0 = self._cpu_mark
        cpu = time.thread_time()
        if now > t0:
            weight = min(1.0, (now - t0) / CPU_WINDOW)
            self.view_cpu_share += weight * ((cpu - c0) / (now - t0) - self.view_cpu_share)
        self._cpu_mark = (now, cpu)

    def _redraw_views(self) -> None:
        """Every other tick the cheap views; on the other ticks (or when they had nothing new) the next
        other view whose picture is out of date."""
        self._tick_count += 1
        heavy = [dock for dock in self.docks if not dock.cheap]
        if self._tick_count % CHEAP_EVERY == 0:
            # a tick paints one view: two drawn together were painted in one go, and the window
            # waited for both (the p99 of its event loop doubled)
            cheap = [dock.redraw() for dock in self.docks if dock.cheap]
            if any(cheap):
                return
        drawn = 0
        for k in range(len(heavy)):
            if heavy[(self._turn + k) % len(heavy)].redraw():
                drawn += 1
                if drawn == HEAVY_REDRAWS_PER_TICK:
                    self._turn = (self._turn + k + 1) % len(heavy)
                    break

    def _show_snapshot(self, snap: Any) -> None:
        """Everything but the plot docks: canvas weights and thumbnails, toolbar, status, banner, runs."""
        scene = self.host.scene
        if snap.grid is not None and snap.grid.neurons:
            scene.set_neuron_thumbnails(dict(snap.grid.neurons))
        if snap.params is not None:
            scene.set_neuron_weights(snap.params)
        self.train_action.setText("Pause" if snap.state == "running" else "Train")
        self.train_action.setIcon(icon("pause" if snap.state == "running" else "train"))
        acc = snap.metrics.get("val_accuracy")
        parts = [f" epoch {snap.epoch}", f"step {snap.step:,}"]
        if snap.state == "running":  # a paused run has no speed; "0 samples/s" would read as a fault
            parts.append(f"{snap.samples_per_s:,.0f} samples/s")
        if snap.metrics.get("val_loss") is not None:
            parts.append(f"val loss {snap.metrics['val_loss']:.4g}")
        if acc is not None:
            parts.append(f"val acc {acc:.3f}")
        if snap.state == "running" or snap.step != self.note_step:  # trained on since: a plain status again
            self.weights_note = ""
        shown = self.weights_note if self.weights_note and snap.state in ("idle", "paused") else snap.state
        self.status.setText("  ·  ".join(parts) + f"  ({shown}) ")
        if snap.state == "diverged" and snap.divergence is not None:
            self.host.banner.show_report(snap.divergence)
        if snap.state == "error" and self._error_seq != snap.seq:
            # an error is shown, never swallowed: the banner says why, the controls stay usable
            self._error_seq = snap.seq
            self.host.banner.show_error(snap.message)
            self.message.emit(snap.message)
        elif snap.state == "running" and self._error_seq >= 0:  # trained on: the error is past
            self._error_seq = -1
            self.host.banner.hide()
        if snap.state in ("finished", "stopped"):
            self._store_run(snap.step)

    def _store_run(self, step: int) -> None:
        """Keep the ended run in the project, once.

        A finished run publishes again whenever a view asks for other extras; and if the user raises
        the epochs and trains on, the longer run replaces the record of the shorter one.
        """
        record = self.session.run_record().to_dict()
        key = (record.get("started"), step)
        if key == self._stored:
            return
        runs = self.host.project().runs
        if self._stored is not None and self._stored[0] == key[0] and runs and runs[-1].get("started") == key[0]:
            runs[-1] = record
        else:
            runs.append(record)
        self._stored = key
        self.host.mark_modified()
        self.runsChanged.emit()

    def runs(self) -> list[Any]:
        return runs_of(self.host.project())
