"""The single-threaded training core: a compiled plan, a dataset, settings.

:class:`Trainer` knows nothing about threads. It trains in *chunks* of whole
batches inside compiled code, ends epochs (metrics, schedule, early stopping),
detects divergence and builds snapshots. :class:`~nnstudio.training.session.Session`
drives it from a worker thread; ``nnstudio train`` drives it directly, so the
terminal and the app get the same numbers.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from nnstudio.data import Dataset
from nnstudio.engine import compile as compile_plan
from nnstudio.engine import set_threads
from nnstudio.errors import TrainingError
from nnstudio.graph import Graph
from nnstudio.training import metrics as M
from nnstudio.training.divergence import DivergenceReport, exploded, explain, first_non_finite
from nnstudio.training.settings import TrainingSettings
from nnstudio.training.internals import Throttle
from nnstudio.training.snapshot import Curves, GridOutput, LayerSnapshot, Snapshot, freeze_mapping, frozen

# Samples per compiled chunk: small enough that pause/step/snapshots stay prompt,
# large enough that Python between chunks costs nothing measurable.
CHUNK_WORK = 2.0e8  # multiply-adds per chunk (about 20-100 ms)
# The decision surface over a grid costs more than everything else in a snapshot; a
# surface 100 ms old looks the same, so it is refreshed at most 10 times a second.
GRID_INTERVAL = 0.1
# The hidden activations of 300 samples are a forward pass over them (8 ms a snapshot for the
# digits CNN, a tenth of its training time at 12 snapshots a second); the projection view takes its
# turn with the other heavy views and redraws about twice a second, so they are refreshed as often.
HIDDEN_INTERVAL = 0.5
# A rollback point (a copy of the weights and optimizer state) at most this often: small
# networks finish a chunk every millisecond, and copying after each one cost more than the step.
ROLLBACK_INTERVAL = 0.2


@dataclass
class History:
    epoch: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    step: list[int] = field(default_factory=list)
    step_loss: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        # name -> (buffer, entries copied): every snapshot carries the curves, and converting whole
        # lists each time grew with the run (a fast toy run has 500 epochs a second; after minutes
        # the training thread spent most of its time, holding the interpreter lock, on this)
        self._arrays: dict[str, tuple[np.ndarray, int]] = {}

    def _array(self, name: str) -> np.ndarray:
        """The list ``name`` as a read-only float64 array, copying only the entries added since the
        last call. Earlier arrays stay valid: entries are only ever written past their end."""
        values = getattr(self, name)
        n = len(values)
        buf, filled = self._arrays.get(name, (np.empty(64), 0))
        if n < filled:  # the list was cut or replaced: copy it afresh
            buf, filled = np.empty(max(64, n)), 0
        if n > len(buf):
            grown = np.empty(2 * n)
            grown[:filled] = buf[:filled]
            buf = grown
        if n > filled:
            buf[filled:n] = values[filled:]
        self._arrays[name] = (buf, n)
        view = buf[:n]
        view.flags.writeable = False
        return view

    def curves(self) -> Curves:
        return Curves(*(self._array(k) for k in
                        ("epoch", "train_loss", "val_loss", "train_accuracy", "val_accuracy", "step", "step_loss")))


@dataclass(frozen=True)
class Extras:
    """What a consumer asks snapshots to carry besides the cheap statistics."""

    params: bool = False
    grid: tuple[float, float, float, float, int] | None = None  # xmin, xmax, ymin, ymax, resolution
    neuron_grid: bool = False
    hidden_node: str | None = None
    hidden_samples: int = 300
    sample_index: int | None = None
    internals: bool = False  # hidden states, their gradients and attention weights (sequence views)


class Trainer:
    """Train a graph on a dataset with settings; everything in the calling thread."""

    def __init__(self, graph: Graph, dataset: Dataset, settings: TrainingSettings,
                 weights: dict[str, dict[str, np.ndarray]] | None = None) -> None:
        # the session trains a copy: the user keeps editing the live graph meanwhile (a reset after
        # deleting a layer recompiled the edited graph in the worker, and failed)
        self.graph = graph.copy()
        self.dataset = dataset
        self.settings = settings
        outputs = graph.nodes_of_kind("Output")
        if not outputs:
            raise TrainingError("the network has no Output node")
        self.output_id = outputs[0].id
        self.loss_kind: str = outputs[0].params["loss"]
        self.classification = dataset.task == "classification"
        self.X_train = np.ascontiguousarray(dataset.X_train, dtype=np.float32)
        self.X_val = np.ascontiguousarray(dataset.X_val, dtype=np.float32)
        self.Y_train = self._targets(dataset.y_train)
        self.Y_val = self._targets(dataset.y_val)
        if len(self.X_train) < 1:
            raise TrainingError("the training split is empty - use more data or a smaller validation share")
        self.plan_version = 0
        self.plan: Any = None
        self._compile(weights)
        self.history = History()
        self.step_count = 0
        self.epoch = 0
        self._cursor = 0  # samples of the current epoch already trained
        self._perm: np.ndarray | None = None
        # per chunk of the current epoch: mean loss, samples, and right answers (classification) or
        # summed absolute error (regression), both from the chunk's own training passes
        self._epoch_sums: list[tuple[float, int, float]] = []
        # name -> (key, when, value): costly snapshot parts kept for a moment while training runs
        self._recent_cache: dict[str, tuple[Any, float, Any]] = {}
        self._keep_rollback_point()
        self._first_loss = self._initial_loss()
        self._best: tuple[float, Any] | None = None
        self._since_best = 0
        self.divergence: DivergenceReport | None = None
        self.stopped_early = False
        self._rate = (time.perf_counter(), 0)
        self.steps_per_s = 0.0
        self.last_metrics: dict[str, Any] = {}
        self.resume_notes: list[str] = []  # what became of saved weights (see trainer_for_project)

    # --- setup ------------------------------------------------------------------
    def _targets(self, y: np.ndarray) -> np.ndarray:
        if self.loss_kind == "cross_entropy":
            y = np.ascontiguousarray(y, dtype=np.int64)
            # one class per position (copy, reverse): (N, L); else one per sample
            return y.reshape(len(y), -1) if y.ndim == 2 and y.shape[1] > 1 else y.reshape(-1)
        y = np.asarray(y, dtype=np.float32)
        if y.ndim == 1:
            y = y.reshape(-1, 1)
        return np.ascontiguousarray(y)

    def _compile(self, weights: dict[str, dict[str, np.ndarray]] | None = None, keep: bool = True,
                 epoch: int | None = None) -> None:
        """Compile the graph anew; the old plan stays in place if that fails (nothing half-done)."""
        s = self.settings
        set_threads(s.threads)
        old = self.plan
        # a batch larger than the training set trains as one batch of all of it: the buffers need
        # no more rows than that (a batch size of 65,536 on 300 samples allocated 65,536 rows)
        plan = compile_plan(self.graph, max(1, min(s.batch_size, len(self.X_train))), seed=s.seed)
        lr_epoch = epoch if epoch is not None else getattr(self, "epoch", 0)
        plan.set_optimizer(s.optimizer, lr=s.lr_at(lr_epoch), **s.optimizer_options())
        self.plan = plan
        source = weights if weights is not None else (old.params if old is not None and keep else None)
        if source:
            self.load_weights(source)
        self.plan_version += 1
        self._chunk_batches = self._pick_chunk()

    def _pick_chunk(self) -> int:
        per_sample = max(1, self.graph.total_params())
        shapes = self.graph.infer_shapes()
        counts = self.graph.param_counts()
        for node in self.graph.nodes.values():
            shape = shapes.get(node.id)
            if node.kind in ("Dense", "LayerNorm", "MultiheadAttention") and shape and len(shape) == 2:
                # per position: the layer's work is its parameters times the sequence length (plus the
                # attention weights, positions squared per vector value)
                L = shape[0]
                per_sample += (L - 1) * counts.get(node.id, 0)
                per_sample += L * L * shape[1] if node.kind == "MultiheadAttention" else 0
        for node in self.graph.nodes.values():
            if node.kind == "Conv2D" and shapes.get(node.id):
                c, h, w = shapes[node.id]
                k = node.params["kernel_size"]
                in_ch = self.graph.input_shapes(node.id)[0][0]
                per_sample += c * h * w * in_ch * k * k
        samples = max(1, int(CHUNK_WORK / (3 * per_sample)))
        return max(1, samples // self.settings.batch_size)

    def _initial_loss(self) -> float | None:
        """The untrained loss on (up to 2,000) training samples: the yardstick for an exploding loss."""
        value = float(self.plan.loss(self.X_train[:2000], self.Y_train[:2000]))
        return value if math.isfinite(value) else None

    def load_weights(self, weights: dict[str, dict[str, np.ndarray]]) -> list[str]:
        """Copy saved tensors into the plan where the shapes match; returns what was skipped."""
        skipped = []
        for nid, tensors in weights.items():
            live = self.plan.params.get(nid)
            for name, value in tensors.items():
                if live is not None and name in live and live[name].shape == np.shape(value):
                    live[name][...] = value
                else:
                    skipped.append(f"{nid}/{name}")
        return skipped

    def weights(self) -> dict[str, dict[str, np.ndarray]]:
        """A copy of every parameter tensor (for saving into the project)."""
        return {nid: {k: np.array(v, copy=True) for k, v in t.items()} for nid, t in self.plan.params.items()}

    def training_state(self) -> dict[str, np.ndarray]:
        """Optimizer state and progress (epoch, step, curves) for saving with :meth:`weights`."""
        from nnstudio.training.resume import training_state

        return training_state(self)

    def load_training_state(self, state: dict[str, Any]) -> list[str]:
        """Continue exactly where :meth:`training_state` was taken (load the weights first).

        Returns what could not be restored, in plain sentences.
        """
        from nnstudio.training.resume import load_training_state

        return load_training_state(self, state)

    # --- settings while running --------------------------------------------------
    def apply_settings(self, new: TrainingSettings) -> None:
        """Use new settings from the next step on; recompiles only if the batch size changed."""
        old = self.settings
        self.settings = new
        if new.batch_size != old.batch_size or new.threads != old.threads or new.seed != old.seed:
            self._compile()
        elif (new.optimizer, new.optimizer_options()) != (old.optimizer, old.optimizer_options()):
            self.plan.set_optimizer(new.optimizer, lr=new.lr_at(self.epoch), **new.optimizer_options())
        else:
            self.plan.set_lr(new.lr_at(self.epoch))

    @property
    def lr(self) -> float:
        return self.settings.lr_at(self.epoch)

    def reset(self) -> None:
        """Re-initialise the weights from the seed and forget the history."""
        self._compile(keep=False, epoch=0)  # first: if it fails, the trainer is as it was
        self.epoch = 0
        self.history = History()
        self.step_count = 0
        self._cursor = 0
        self._perm = None
        self._epoch_sums = []
        self._keep_rollback_point()
        self._first_loss = self._initial_loss()
        self._best = None
        self._since_best = 0
        self.divergence = None
        self.stopped_early = False
        self.last_metrics = {}

    # --- training ------------------------------------------------------------------
    @property
    def done(self) -> bool:
        return self.epoch >= self.settings.epochs or self.stopped_early

    def _epoch_order(self) -> np.ndarray:
        rng = np.random.default_rng([self.settings.seed, self.epoch])
        return rng.permutation(len(self.X_train))

    def train_batches(self, max_batches: int | None = None) -> int:
        """Train up to ``max_batches`` batches (default: one chunk) without crossing an epoch's end.

        Returns the number of optimizer steps taken. Ends the epoch when its
        last batch is done. On a non-finite loss or parameter, records a
        :class:`DivergenceReport` in ``self.divergence`` and stops.
        """
        if self.divergence is not None:
            return 0
        bs = self.settings.batch_size
        n = len(self.X_train)
        if self._cursor >= n:  # the epoch's samples are used up (a chunk diverged at its end): next epoch
            self._start_epoch_over()
        if self._perm is None:
            self._perm = self._epoch_order()
        batches = self._chunk_batches if max_batches is None else max_batches
        remaining = max(1, math.ceil((n - self._cursor) / bs))
        batches = min(batches, remaining)
        take = self._perm[self._cursor: self._cursor + batches * bs]
        X = np.ascontiguousarray(self.X_train[take])
        Y = np.ascontiguousarray(self.Y_train[take])
        out = np.empty((len(take), self.plan.n_outputs), self.plan.dtype)
        loss = float(self.plan.run_epoch(X, Y, shuffle_seed=None, outputs=out))
        steps = math.ceil(len(take) / bs)
        self.step_count += steps
        self._cursor += len(take)
        what = first_non_finite(loss, self.plan.params) or exploded(loss, self._first_loss)
        if what is not None:
            self.divergence = explain(what, self.step_count, self.epoch, self.lr, self.settings.optimizer,
                                      self.history.step_loss)
            return steps
        if time.perf_counter() - self._last_good_at >= ROLLBACK_INTERVAL:
            self._keep_rollback_point()
        if self.classification:
            truth = np.asarray(self.dataset.y_train)[take].reshape(-1)
            positions = self.plan.positions
            # per sample: the share of its tokens right (1 or 0 for one class per sample)
            score = float(np.sum(M.predicted_classes(out, self.loss_kind, positions) == truth)) / positions
        else:
            score = float(np.abs(out.astype(np.float64) - Y).sum())
        self._epoch_sums.append((loss, len(take), score))
        if self.step_count // self.settings.log_every != (self.step_count - steps) // self.settings.log_every:
            self.history.step.append(self.step_count)
            self.history.step_loss.append(loss)
        self._count_rate(steps)
        if self._cursor >= n:
            self._end_epoch()
        return steps

    def run_epoch(self) -> None:
        """Finish the current epoch."""
        start = self.epoch
        while self.epoch == start and self.divergence is None:
            self.train_batches()

    def _count_rate(self, steps: int) -> None:
        t0, s0 = self._rate
        now = time.perf_counter()
        s0 += steps
        if now - t0 >= 0.5:
            self.steps_per_s = s0 / (now - t0)
            self._rate = (now, 0)
        else:
            self._rate = (t0, s0)

    def _end_epoch(self) -> None:
        # Training figures come from the epoch's own training passes (as Keras and MATLAB report
        # them): a second pass over the training set cost a third of the digits CNN's epoch.
        sums = self._epoch_sums
        seen = max(1, sum(k for _, k, _ in sums))
        train_loss = sum(loss * k for loss, k, _ in sums) / seen
        metrics = self.evaluate()
        score = sum(s for _, _, s in sums)
        if self.classification:
            metrics["train_accuracy"] = score / seen
        else:
            metrics["train_mae"] = score / (seen * self.Y_train.shape[1])
        h = self.history
        h.epoch.append(self.epoch + 1)
        h.train_loss.append(train_loss)
        h.val_loss.append(metrics.get("val_loss", float("nan")))
        h.train_accuracy.append(metrics.get("train_accuracy", float("nan")))
        h.val_accuracy.append(metrics.get("val_accuracy", float("nan")))
        metrics["train_loss"] = train_loss
        self.last_metrics = metrics
        self.epoch += 1
        self._cursor = 0
        self._perm = None
        self._epoch_sums = []
        new_lr = self.settings.lr_at(self.epoch)
        self.plan.set_lr(new_lr)
        self._early_stopping(metrics.get("val_loss", float("nan")))

    def _early_stopping(self, val_loss: float) -> None:
        if not math.isfinite(val_loss):
            return
        if self._best is None or val_loss < self._best[0]:
            self._best = (val_loss, self.plan.get_state() if self.settings.restore_best else None)
            self._since_best = 0
            return
        self._since_best += 1
        if self.settings.patience and self._since_best >= self.settings.patience:
            self.stopped_early = True
            if self.settings.restore_best and self._best[1] is not None:
                self.plan.set_state(self._best[1])

    def _keep_rollback_point(self) -> None:
        self._last_good, self._last_good_at = self.plan.get_state(), time.perf_counter()

    def rollback(self, halve_lr: bool = False) -> None:
        """Return to the last good parameters after divergence (optionally halving the rate)."""
        self.plan.set_state(self._last_good)
        if halve_lr:
            self.settings = self.settings.with_changes(lr=self.settings.lr / 2)
            self.plan.set_lr(self.lr)
        self.divergence = None
        # the epoch's figures so far include the chunks that led to the divergence: start it over
        self._start_epoch_over()

    def _start_epoch_over(self) -> None:
        self._cursor = 0
        self._perm = None
        self._epoch_sums = []

    # --- evaluation ------------------------------------------------------------------
    def outputs(self, X: np.ndarray) -> np.ndarray:
        return np.asarray(self.plan.predict(np.ascontiguousarray(X, dtype=np.float32)))

    def evaluate(self) -> dict[str, Any]:
        """Validation loss and, for classification, accuracy and the confusion matrix (else MAE)."""
        out: dict[str, Any] = {}
        if not len(self.X_val):
            return out
        loss, val_out = self.plan.evaluate(self.X_val, self.Y_val)  # one pass: loss and outputs
        out["val_loss"] = float(loss)
        if self.classification:
            pred_val = M.predicted_classes(val_out, self.loss_kind, self.plan.positions)  # tokens, for sequences
            out["val_accuracy"] = M.accuracy(pred_val, self.dataset.y_val)
            out["confusion"] = M.confusion_matrix(pred_val, self.dataset.y_val, max(2, self.dataset.n_classes or 2))
        else:
            out["val_mae"] = M.mean_absolute_error(val_out, self.Y_val)
        return out

    # --- snapshots ----------------------------------------------------------------------
    def snapshot(self, seq: int, state: str, extras: Extras | None = None, message: str = "") -> Snapshot:
        """An immutable copy of everything the views need right now."""
        extras = extras or Extras()
        layers = self._layer_snapshots()
        params = None
        if extras.params:
            params = freeze_mapping({nid: freeze_mapping({k: frozen(v) for k, v in t.items()})
                                     for nid, t in self.plan.params.items()})
        grid = None
        if extras.grid:
            grid = self._recent("grid", (extras.grid, extras.neuron_grid), GRID_INTERVAL, state,
                                lambda: self._grid(extras))
        hidden = hidden_labels = None
        X_show, y_show = (self.X_val, self.dataset.y_val) if len(self.X_val) else (self.X_train, self.dataset.y_train)
        if extras.hidden_node:
            hidden, hidden_labels = self._recent(
                "hidden", (extras.hidden_node, extras.hidden_samples), HIDDEN_INTERVAL, state,
                lambda: self._hidden(extras.hidden_node, X_show[: extras.hidden_samples],
                                     y_show[: extras.hidden_samples]))
        sample_input = feature_maps = None
        if extras.sample_index is not None and X_show.ndim == 4 and len(X_show):
            x = X_show[extras.sample_index % len(X_show)][None]
            acts = self.plan.activations(x)
            sample_input = frozen(x[0])
            feature_maps = freeze_mapping({nid: frozen(a[0]) for nid, a in acts.items()
                                           if self.graph.nodes[nid].kind == "Conv2D"})
        internals = None
        if extras.internals:
            if not hasattr(self, "_internals"):
                self._internals = Throttle()
            internals = self._internals.get(self.plan, list(self.graph.nodes), self.plan_version, state == "running",
                                            X_show)
        bs = self.settings.batch_size
        metrics = {k: (frozen(v) if isinstance(v, np.ndarray) else v) for k, v in self.last_metrics.items()}
        return Snapshot(
            seq=seq, state=state, step=self.step_count, epoch=self.epoch, lr=self.lr,
            curves=self.history.curves(), metrics=freeze_mapping(metrics), layers=layers,
            steps_per_s=self.steps_per_s, samples_per_s=self.steps_per_s * bs,
            divergence=self.divergence, message=message, params=params, grid=grid, hidden=hidden,
            hidden_labels=hidden_labels, sample_input=sample_input, feature_maps=feature_maps,
            plan_version=self.plan_version, internals=internals,
        )

    def _recent(self, name: str, key: Any, interval: float, state: str, build: Callable[[], Any]) -> Any:
        """``build()``, or what it gave for the same ``key`` less than ``interval`` seconds ago while
        training runs (paused, stepped or reset, the views get the current value at once)."""
        now = time.perf_counter()
        key = (key, self.plan_version)
        cached = self._recent_cache.get(name)
        if cached is not None and cached[0] == key and now - cached[1] < interval and state == "running":
            return cached[2]
        value = build()
        self._recent_cache[name] = (key, now, value)
        return value

    def _hidden(self, node_id: str, X: np.ndarray, y: Any) -> tuple[Any, Any]:
        acts = self.plan.activations(X)
        if node_id not in acts:
            return None, None
        return freeze_mapping({node_id: frozen(acts[node_id])}), frozen(np.asarray(y))

    def _layer_snapshots(self) -> tuple[LayerSnapshot, ...]:
        stats = self.plan.layer_stats()
        out = []
        for nid, s in stats.items():
            node = self.graph.nodes.get(nid)
            if node is None:
                continue
            out.append(LayerSnapshot(
                node_id=nid, name=node.name, kind=node.kind,
                weight_norm=float(s.get("weight_norm", float("nan"))),
                grad_norm=float(s.get("grad_norm", float("nan"))),
                weight_hist=_hist(self.plan.params.get(nid, {}).get("weight")),
                grad_hist=_hist(s.get("weight_grad")),
                act_mean=float(s.get("act_mean", float("nan"))),
                act_std=float(s.get("act_std", float("nan"))),
                dead_fraction=float(s.get("dead_fraction", float("nan"))),
                saturated_fraction=float(s.get("saturated_fraction", float("nan"))),
                act_hist=_hist(s.get("act_sample")),
            ))
        return tuple(out)

    def _grid(self, extras: Extras) -> GridOutput | None:
        if getattr(self.dataset, "feature_map", None) is None:
            return None  # only 2-D toy problems have an input plane
        xmin, xmax, ymin, ymax, res = extras.grid
        xs = np.linspace(xmin, xmax, res, dtype=np.float32)
        ys = np.linspace(ymin, ymax, res, dtype=np.float32)
        gx, gy = np.meshgrid(xs, ys)
        pts = np.stack([gx.ravel(), gy.ravel()], axis=1)
        X = self.dataset.features_for(pts)
        acts = self.plan.activations(X) if extras.neuron_grid else None
        values = acts[self.output_id] if acts is not None else self.outputs(X)
        if self.classification:
            values = _probabilities(values, self.loss_kind)
        neurons = {}
        for nid, a in (acts or {}).items():
            node = self.graph.nodes.get(nid)
            # a unit's response after its activation is what the canvas thumbnails show
            if node is not None and node.kind in ("Neuron", "Activation") and a.ndim == 2:
                for j in range(min(a.shape[1], 32)):
                    key = nid if a.shape[1] == 1 else f"{nid}:{j}"
                    neurons[key] = frozen(a[:, j].reshape(res, res))
        return GridOutput(frozen(xs), frozen(ys), frozen(values.reshape(res, res, -1)), freeze_mapping(neurons))


def _probabilities(outputs: np.ndarray, loss: str) -> np.ndarray:
    if loss == "bce" or outputs.shape[1] == 1:
        return 1.0 / (1.0 + np.exp(-outputs))
    z = outputs - outputs.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _hist(a: Any, bins: int = 30) -> tuple[np.ndarray, np.ndarray] | None:
    if a is None:
        return None
    a = np.asarray(a, dtype=np.float64).ravel()
    a = a[np.isfinite(a)]
    if a.size == 0:
        return None
    counts, edges = np.histogram(a, bins=bins)
    return frozen(counts), frozen(edges)
