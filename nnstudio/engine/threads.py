"""Threads: the engine's BLAS, its parallel kernels and their threading layer; kernel warm-up.

Convolution and pooling split each batch over threads with numba's ``prange``. Two
Python threads may run plans at once (the app's warm-up and a training run), so the
threading layer must be thread-safe: TBB (the ``tbb`` package, a dependency) or OpenMP.
TBB's workers spin only briefly before they sleep; OpenMP under the PASSIVE wait policy
the engine asks for sleeps at once, and waking it took 50 us per parallel loop here.
"""
from __future__ import annotations

import contextlib
import ctypes
import importlib.metadata
import os
import threading
import time

import numba

#: Most chunks a batch is cut into (each has its own scratch memory; more only costs memory).
SCRATCH_SLOTS = max(1, min(numba.config.NUMBA_NUM_THREADS, 8))

_limiter = None
_threads: int | None = None
_layer_lock = threading.Lock()
_layer_ready = False
#: Held around every plan run when only numba's workqueue layer loads: it aborts the process
#: when two threads run parallel loops at once.
run_guard: contextlib.AbstractContextManager = contextlib.nullcontext()


def set_threads(n: int | None) -> None:
    """Use at most ``n`` threads for BLAS and the parallel kernels (None or 0: all cores)."""
    global _limiter, _threads
    # numba's np.dot calls the BLAS that scipy ships, which numpy does not load: load it first,
    # or threadpoolctl cannot see it and the limit silently misses the engine's own BLAS
    import scipy.linalg.cython_blas  # noqa: F401
    from threadpoolctl import threadpool_limits

    if _limiter is not None:
        _limiter.restore_original_limits()
        _limiter = None
    _threads = int(n) if n else None
    if n:
        _limiter = threadpool_limits(limits=int(n), user_api="blas")


def _load_pip_tbb() -> None:
    """pip installs libtbb into <prefix>/lib, where the dynamic loader does not look; numba's TBB
    layer then fails to load (numba issue #6108). Loading it by path first makes it resolvable."""
    try:
        files = importlib.metadata.files("tbb") or []
    except importlib.metadata.PackageNotFoundError:
        return
    for f in files:
        if f.name in ("libtbb.so.12", "libtbb.12.dylib", "tbb12.dll"):
            with contextlib.suppress(OSError):
                ctypes.CDLL(str(f.locate()), mode=getattr(os, "RTLD_GLOBAL", 0))
            return


def _ensure_threading_layer() -> None:
    global _layer_ready, run_guard
    choose_threading_layer()
    with _layer_lock:
        if _layer_ready:
            return
        try:
            numba.get_num_threads()  # loads the layer
        except ValueError:  # neither TBB nor OpenMP loads: workqueue, one run at a time
            numba.config.THREADING_LAYER = "default"
            numba.get_num_threads()
        if numba.threading_layer() == "workqueue":
            run_guard = threading.Lock()
        _layer_ready = True


_layer_chosen = False


def choose_threading_layer() -> None:
    """Ask numba for a thread-safe threading layer (TBB, found where pip puts it, or OpenMP),
    unless the user chose one (``NUMBA_THREADING_LAYER``). Idempotent; it must run before numba
    starts its threads - :func:`nnstudio.engine.configure_process` calls it at start-up, and the
    first plan run calls it too for programs that skipped that."""
    global _layer_chosen
    with _layer_lock:
        if _layer_chosen or _layer_ready:
            return
        _layer_chosen = True
        if "NUMBA_THREADING_LAYER" not in os.environ:  # the user's choice wins
            _load_pip_tbb()
            numba.config.THREADING_LAYER = "threadsafe"


def use_in_this_thread() -> contextlib.AbstractContextManager:
    """Apply the thread setting to the calling thread (numba's count is per thread) before a run.

    Returns the guard to hold while the run lasts.
    """
    if not _layer_ready:
        _ensure_threading_layer()
    want = min(_threads or numba.config.NUMBA_NUM_THREADS, numba.config.NUMBA_NUM_THREADS)
    if numba.get_num_threads() != want:
        numba.set_num_threads(want)
    return run_guard


_warmed = threading.Event()
_warmed.set()  # set: no background warm-up is under way


def kernels_ready() -> bool:
    """False while a background :func:`warm_up` is still compiling (or loading) the kernels.

    A caller that must not block - the GUI thread - waits for this before it runs a plan: the
    first run after an install compiles for the better part of a minute.
    """
    return _warmed.is_set()


def _warm_up_in_background() -> None:
    try:
        warm_up()
    finally:  # a failed warm-up must not keep the app waiting: the first run then says what is wrong
        _warmed.set()


def warm_up(background: bool = False, dtype: str = "float32") -> float | threading.Thread:
    """Compile (or load from the cache) every kernel by running a tiny graph of every kind.

    ``dtype`` is the plans' float type whose kernels are warmed up (``float32`` or ``float64``).

    Returns the seconds it took, or the started thread when ``background`` is true
    (:func:`kernels_ready` tells when it is done).
    """
    if background:
        _warmed.clear()
        t = threading.Thread(target=_warm_up_in_background, name="nnstudio-warm-up", daemon=True)
        t.start()
        return t
    import numpy as np

    from nnstudio.engine import compile as compile_plan
    from nnstudio.graph import Graph

    # One small graph suffices: the interpreter's single compiled function includes every kernel.
    t0 = time.perf_counter()
    g = Graph()
    x = g.add("Input", shape=[2])
    h = g.add("Dense", units=4)
    a = g.add("Activation", function="relu")
    o = g.add("Output", loss="cross_entropy")
    d = g.add("Dense", units=2)
    g.connect(x, h), g.connect(h, a), g.connect(a, d), g.connect(d, o)
    plan = compile_plan(g, batch_size=4, dtype=dtype)
    plan.set_optimizer("adam", lr=1e-3)
    X = np.zeros((4, 2), dtype)
    plan.run_epoch(X, np.zeros(4, np.int64), shuffle_seed=0)
    plan.forward(X)
    plan.layer_stats()
    return time.perf_counter() - t0
