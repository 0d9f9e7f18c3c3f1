"""The Plan: a compiled graph with live parameters, ready to train.

>>> plan = ns.compile(graph, batch_size=32, seed=0)
>>> plan.set_optimizer("adam", lr=1e-3)
>>> loss = plan.run_epoch(X, Y, shuffle_seed=1)
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from nnstudio.engine import interpreter as I
from nnstudio.engine.compiler import Program
from nnstudio.engine.kernels import optim as O
from nnstudio.engine.kernels.activations import activation_stats
from nnstudio.engine.threads import use_in_this_thread
from nnstudio.errors import TrainingError

EVAL_FLOATS = 16_000_000  # evaluation batches are as wide as ~64 MB of float32 buffers allow
OPTIMIZERS = {"sgd": O.SGD, "momentum": O.MOMENTUM, "nesterov": O.NESTEROV, "adam": O.ADAM, "rmsprop": O.RMSPROP}
# PyTorch's option names per optimizer, plus our l1 and clip_grad_norm
_OPTIONS = {
    "sgd": {"weight_decay"},
    "momentum": {"momentum", "weight_decay"},
    "nesterov": {"momentum", "weight_decay"},
    "adam": {"betas", "eps", "weight_decay"},
    "rmsprop": {"alpha", "eps", "momentum", "weight_decay"},
}
_COMMON = {"l1", "clip_grad_norm"}
_DEFAULTS = {"momentum": 0.9, "betas": (0.9, 0.999), "eps": 1e-8, "alpha": 0.99, "weight_decay": 0.0,
             "l1": 0.0, "clip_grad_norm": 0.0}


class Plan:
    """A graph compiled for one batch size and dtype. Create with :func:`nnstudio.compile`.

    Attributes
    ----------
    params : dict
        ``{node_id: {"weight": array, "bias": array, ...}}`` - the live parameter arrays in
        PyTorch layouts; writing into them changes the model.
    batch_size : int
    """

    def __init__(self, program: Program, seed: int = 0) -> None:
        self._p = program
        self.seed = seed
        self.batch_size = program.batch_size
        self.dtype = program.dtype
        self.params: dict[str, dict[str, np.ndarray]] = program.params
        self._hp = np.zeros(O.HP_SIZE, np.float64)
        self._calls = 0
        self.fixed_seed: int | None = None  # set to replay the same dropout masks on every call
        self._last_n = 0
        self.optimizer = "sgd"
        self._bufs = program.B
        self.set_optimizer("sgd", lr=0.01)
        self._wide_program: Program | None = None
        self._empty_y = np.zeros((0, 1), program.dtype)
        self._empty_out = np.zeros((0, program.n_outputs), program.dtype)

    # --- optimizer -----------------------------------------------------------------------
    def set_optimizer(self, name: str, lr: float = 0.01, **options: Any) -> None:
        """Choose the optimizer (``sgd momentum nesterov adam rmsprop``) and reset its state.

        Options use PyTorch's names (``momentum``, ``betas``, ``eps``, ``alpha``,
        ``weight_decay``) plus ``l1`` and ``clip_grad_norm``; others are refused.
        """
        if name not in OPTIMIZERS:
            raise TrainingError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")
        unknown = set(options) - _OPTIONS[name] - _COMMON
        if unknown:
            raise TrainingError(f"{name} does not take option(s) {', '.join(sorted(unknown))}; it takes "
                                f"{', '.join(sorted(_OPTIONS[name] | _COMMON))}")
        o = {**_DEFAULTS, **options}
        hp = self._hp
        hp[:] = 0.0
        hp[O.HP_KIND] = OPTIMIZERS[name]
        hp[O.HP_MOMENTUM] = o["momentum"] if name in ("momentum", "nesterov") else options.get("momentum", 0.0)
        hp[O.HP_BETA1], hp[O.HP_BETA2] = o["betas"]
        hp[O.HP_EPS] = o["eps"]
        hp[O.HP_ALPHA] = o["alpha"]
        hp[O.HP_WD] = o["weight_decay"] or 0.0
        hp[O.HP_L1] = o["l1"] or 0.0
        hp[O.HP_CLIP] = o["clip_grad_norm"] or 0.0
        self.set_lr(lr)
        for row in self._p.optc:
            self._bufs[row[2]][:] = 0.0
            self._bufs[row[3]][:] = 0.0
        self.optimizer = name

    def set_lr(self, lr: float) -> None:
        """Change the learning rate; takes effect at the next step."""
        if not np.isfinite(lr) or lr < 0:
            raise TrainingError(f"the learning rate must be a positive number, not {lr!r}")
        self._hp[O.HP_LR] = lr

    @property
    def lr(self) -> float:
        return float(self._hp[O.HP_LR])

    # --- data plumbing ------------------------------------------------------------------
    def _inputs(self, x: Any) -> np.ndarray:
        x = np.asarray(x)
        shape = self._p.input_shape
        if x.shape[1:] != shape and not (x.ndim == 2 and x.shape[1] == int(np.prod(shape))):
            raise TrainingError(f"the Input expects samples of shape {'x'.join(map(str, shape))} "
                                f"but the data has {'x'.join(map(str, x.shape[1:])) or 'scalars'}")
        x2 = np.ascontiguousarray(x.reshape(len(x), -1), dtype=self.dtype)
        for num, _ in self._p.embedding_inputs:
            if x2.size and (x2.min() < 0 or x2.max() >= num or not np.all(x2 == np.round(x2))):
                raise TrainingError(f"the Embedding expects whole-number tokens from 0 to {num - 1}")
        return x2

    def _targets(self, y: Any, n: int) -> np.ndarray:
        y = np.asarray(y)
        if len(y) != n:
            raise TrainingError(f"{n} samples but {len(y)} targets")
        if self._p.loss == "cross_entropy":
            y2 = y.reshape(n, -1)
            if y2.shape[1] != 1:
                raise TrainingError("cross_entropy takes one class index per sample")
            if n and (y2.min() < 0 or y2.max() >= self._p.n_outputs):
                raise TrainingError(f"class indices must be between 0 and {self._p.n_outputs - 1} - the "
                                    "Output has fewer units than the data has classes")
            return np.ascontiguousarray(y2, dtype=self.dtype)
        y2 = y.reshape(n, -1)
        if y2.shape[1] != self._p.n_outputs:
            raise TrainingError(f"the Output has {self._p.n_outputs} values per sample but the targets have "
                                f"{y2.shape[1]}")
        return np.ascontiguousarray(y2, dtype=self.dtype)

    def _wide(self) -> Program:
        """A sibling program with a larger batch for evaluation, holding the live parameters."""
        p = self._p
        if self._wide_program is None:
            from nnstudio.engine.compiler import compile_program

            dtype = "float64" if p.dtype == np.float64 else "float32"
            per_sample = sum(a.size for a in self._bufs) / self.batch_size
            wide = int(min(4096, max(self.batch_size, EVAL_FLOATS / per_sample)))
            self._wide_program = compile_program(p.graph, wide, self.seed, dtype)
        # the same graph lays its parameters out identically, so one copy brings them up to date
        self._wide_program.mem[0][:p.param_floats] = p.mem[0][:p.param_floats]
        return self._wide_program

    def _eval(self, X: np.ndarray, Y: np.ndarray, out: np.ndarray) -> float:
        """Evaluation-mode pass over all of X (wide batches when that saves calls)."""
        if len(X) <= self.batch_size:
            return self._run(X, Y, np.arange(len(X)), 0, out)
        p = self._wide()
        return self._execute(p, X, Y, np.arange(len(X), dtype=np.int64), 0, out, 0)

    def _execute(self, p: Program, X: np.ndarray, Y: np.ndarray, rows: np.ndarray, mode: int, out: np.ndarray,
                 seed: int) -> float:
        """The one way into compiled code: in the calling thread's thread setting."""
        with use_in_this_thread():
            return float(I.run(p.code, p.fp, p.mem, p.IB, p.zero, p.ld, p.optc, self._hp, X, Y, rows,
                               p.batch_size, mode, out, seed))

    def _run(self, X: np.ndarray, Y: np.ndarray, rows: np.ndarray, mode: int, out: np.ndarray) -> float:
        p = self._p
        self._calls += 1
        seed = (self.fixed_seed if self.fixed_seed is not None
                else (self.seed * 1_000_003 + self._calls) % (2**31 - 1))
        loss = self._execute(p, X, Y, rows.astype(np.int64), mode, out, seed)
        n = len(rows)
        self._last_n = (n - 1) % self.batch_size + 1 if n else 0
        return float(loss)

    # --- public API ----------------------------------------------------------------------
    def forward(self, x: Any) -> np.ndarray:
        """Outputs for ``x`` in evaluation mode (logits for cross_entropy / bce), shape (N, outputs)."""
        X = self._inputs(x)
        out = np.zeros((len(X), self._p.n_outputs), self.dtype)
        self._eval(X, self._empty_y, out)
        return out

    predict = forward

    def loss(self, x: Any, y: Any) -> float:
        """Mean loss over all samples in evaluation mode (no dropout, running BatchNorm statistics)."""
        X = self._inputs(x)
        return self._eval(X, self._targets(y, len(X)), self._empty_out)

    def evaluate(self, x: Any, y: Any) -> tuple[float, np.ndarray]:
        """Mean loss and outputs in evaluation mode, from one pass (``loss`` and ``forward`` take two)."""
        X = self._inputs(x)
        out = np.zeros((len(X), self._p.n_outputs), self.dtype)
        return self._eval(X, self._targets(y, len(X)), out), out

    def gradients(self, x: Any, y: Any) -> tuple[float, dict[str, dict[str, np.ndarray]]]:
        """Loss and gradients (copies, same structure as ``params``) of one training-mode batch."""
        X = self._inputs(x)
        if len(X) > self.batch_size:
            raise TrainingError(f"gradients() takes at most one batch ({self.batch_size} samples)")
        loss = self._run(X, self._targets(y, len(X)), np.arange(len(X)), 1, self._empty_out)
        grads = {nid: {k: np.array(v) for k, v in t.items()} for nid, t in self._p.grads.items()}
        for nid, t in self.params.items():  # frozen tensors and running statistics get zeros
            for k, v in t.items():
                if k in ("weight", "bias"):
                    grads.setdefault(nid, {}).setdefault(k, np.zeros_like(v))
        return loss, grads

    def step(self, x: Any, y: Any) -> float:
        """One optimizer step on one batch; returns its loss."""
        X = self._inputs(x)
        if len(X) > self.batch_size:
            raise TrainingError(f"step() takes at most one batch ({self.batch_size} samples)")
        return self._run(X, self._targets(y, len(X)), np.arange(len(X)), 2, self._empty_out)

    def run_epoch(self, X: Any, Y: Any, shuffle_seed: int | None = None, outputs: np.ndarray | None = None) -> float:
        """Train on every sample once, batch after batch, inside compiled code; mean loss.

        ``shuffle_seed`` None keeps the given order. A non-finite loss stops the epoch
        early and is returned (nothing is updated with it). ``outputs``, an array of shape
        (N, outputs) in the plan's dtype, receives each sample's training-mode outputs
        (from its step's forward pass, before that step's update): ``outputs[i]`` is ``X[i]``'s.
        Rows of samples an early stop left untrained keep what they held.
        """
        X2 = self._inputs(X)
        Y2 = self._targets(Y, len(X2))
        rows = (np.arange(len(X2)) if shuffle_seed is None
                else np.random.default_rng(shuffle_seed).permutation(len(X2)))
        if outputs is None:
            return self._run(X2, Y2, rows, 2, self._empty_out)
        if outputs.shape != (len(X2), self._p.n_outputs) or outputs.dtype != self.dtype \
                or not outputs.flags.c_contiguous:
            raise TrainingError(f"outputs must be a contiguous {self.dtype} array of shape "
                                f"({len(X2)}, {self._p.n_outputs})")
        trained = outputs if shuffle_seed is None else outputs[rows]
        loss = self._run(X2, Y2, rows, 2, trained)
        if shuffle_seed is not None:
            outputs[rows] = trained  # row r of `trained` is sample rows[r]
        return loss

    def activations(self, x: Any) -> dict[str, np.ndarray]:
        """Every node's output for ``x`` in evaluation mode: ``{node_id: (N, *shape)}``."""
        X = self._inputs(x)
        p = self._p if len(X) <= self.batch_size else self._wide()
        bufs = self._bufs if p is self._p else p.B
        result: dict[str, list[np.ndarray]] = {}
        for start in range(0, len(X), p.batch_size):
            chunk = X[start:start + p.batch_size]
            self._execute(p, chunk, self._empty_y, np.arange(len(chunk), dtype=np.int64), 0, self._empty_out, 0)
            for nid, (ref, shape) in p.outputs.items():
                result.setdefault(nid, []).append(self._view(ref, shape, len(chunk), bufs).copy())
        return {nid: np.concatenate(parts) for nid, parts in result.items()}

    def _view(self, ref: Any, shape: tuple[int, ...], n: int, bufs: list[np.ndarray] | None = None) -> np.ndarray:
        a = (bufs or self._bufs)[ref.buf][: n * ref.width].reshape(n, ref.width)[:, ref.col: ref.col + ref.ncols]
        return a.reshape((n,) + tuple(shape))

    def internals(self, node_id: str) -> dict[str, np.ndarray]:
        """The node's internal buffers its op exposes (e.g. BatchNorm's ``xhat``, Dropout's ``mask``),
        as copies ``(n, *per_sample_shape)`` holding what the last batch run (forward or
        backward) left in them; ``{}`` for a node that exposes none."""
        n = self._last_n
        out: dict[str, np.ndarray] = {}
        for name, (buf, shape) in self._p.internals.get(node_id, {}).items():
            size = int(np.prod(shape)) if shape else 1
            out[name] = np.array(self._bufs[buf][: n * size]).reshape((n,) + tuple(shape))
        return out

    def layer_stats(self) -> dict[str, dict[str, Any]]:
        """Statistics of the last training batch per node: weight/gradient norms, activation
        mean/std, dead (ReLU) or saturated (sigmoid/tanh) fraction, a sample of activations."""
        n = self._last_n
        stats: dict[str, dict[str, Any]] = {}
        for nid, (ref, shape) in self._p.outputs.items():
            kind = self._p.kinds[nid]
            if kind in ("Input", "Output", "Flatten", "Reshape"):
                continue
            s: dict[str, Any] = {}
            t = self.params.get(nid)
            if t and "weight" in t:
                s["weight_norm"] = float(np.linalg.norm(t["weight"]))
                g = self._p.grads.get(nid, {})
                if g:
                    s["grad_norm"] = float(np.sqrt(sum(float(np.sum(np.square(v, dtype=np.float64)))
                                                       for v in g.values())))
                    s["weight_grad"] = np.array(g["weight"])
            if n:
                a = self._view(ref, shape, n).reshape(n, -1)
                code = self._p.act_codes.get(nid, -1)
                mean, std, frac = activation_stats(np.ascontiguousarray(a, dtype=np.float64), code)
                s["act_mean"], s["act_std"] = mean, std
                if code == 1:
                    s["dead_fraction"] = frac
                elif code in (5, 6):
                    s["saturated_fraction"] = frac
                s["act_sample"] = np.array(a.ravel()[:4096])
            stats[nid] = s
        return stats

    # --- state -----------------------------------------------------------------------------
    def get_state(self) -> dict[str, Any]:
        """A deep copy of parameters, optimizer state and step count (for rollback)."""
        p = self._p
        return {
            "params": {nid: {k: v.copy() for k, v in t.items()} for nid, t in self.params.items()},
            "opt": [(self._bufs[r[2]].copy(), self._bufs[r[3]].copy()) for r in p.optc],
            "hp": self._hp.copy(),
        }

    def set_state(self, state: Mapping[str, Any]) -> None:
        p = self._p
        for nid, t in state["params"].items():
            for k, v in t.items():
                self.params[nid][k][...] = v
        for r, (s1, s2) in zip(p.optc, state["opt"]):
            self._bufs[r[2]][:] = s1
            self._bufs[r[3]][:] = s2
        self._hp[:] = state["hp"]

    def optimizer_state(self) -> dict[str, np.ndarray]:
        """The optimizer's state as named arrays (copies) for saving; see :func:`load_optimizer_state`.

        Keys: ``NODE_ID/TENSOR/SLOT`` per trainable tensor, with PyTorch's slot names
        (``exp_avg`` and ``exp_avg_sq`` for adam, ``momentum_buffer`` for momentum and
        nesterov, ``square_avg`` (and ``momentum_buffer``) for rmsprop, none for sgd), and
        ``optimizer`` (name), ``step`` (updates so far), ``lr``, ``rng_seed`` and ``rng_calls`` (what
        seeds the dropout masks).
        """
        from nnstudio.engine.optim_state import state_of

        return state_of(self)

    def load_optimizer_state(self, state: Mapping[str, Any]) -> list[str]:
        """Restore :meth:`optimizer_state` so that training resumes exactly where it was saved.

        Choose the same optimizer (and options) with :meth:`set_optimizer` first, else
        TrainingError. Returns what could not be restored (a tensor's state missing or of
        another shape: that tensor starts with a fresh state), in plain sentences.
        """
        from nnstudio.engine.optim_state import load_state

        return load_state(self, state)

    def _tensor_slots(self) -> list[tuple[str, str, int, int, int]]:
        if getattr(self, "_slots", None) is None:
            from nnstudio.engine.optim_state import tensor_slots

            self._slots = tensor_slots(self._bufs, self._p.optc, self.params)
        return self._slots

    def load_params(self, params: Mapping[str, Mapping[str, np.ndarray]]) -> None:
        """Copy tensors into the live parameters (shapes must match)."""
        for nid, t in params.items():
            for k, v in t.items():
                self.params[nid][k][...] = v

    @property
    def n_outputs(self) -> int:
        return self._p.n_outputs

    @property
    def input_shape(self) -> tuple[int, ...]:
        return self._p.input_shape
