"""Thread count for the engine's BLAS, and the background warm-up of the kernels."""
from __future__ import annotations

import threading
import time

_limiter = None


def set_threads(n: int | None) -> None:
    """Use at most ``n`` BLAS threads (None or 0: leave the library default)."""
    global _limiter
    # numba's np.dot calls the BLAS that scipy ships, which numpy does not load: load it first,
    # or threadpoolctl cannot see it and the limit silently misses the engine's own BLAS
    import scipy.linalg.cython_blas  # noqa: F401
    from threadpoolctl import threadpool_limits

    if _limiter is not None:
        _limiter.restore_original_limits()
        _limiter = None
    if n:
        _limiter = threadpool_limits(limits=int(n), user_api="blas")


def warm_up(background: bool = False) -> float | threading.Thread:
    """Compile (or load from the cache) every kernel by running a tiny graph of every kind.

    Returns the seconds it took, or the started thread when ``background`` is true.
    """
    if background:
        t = threading.Thread(target=warm_up, name="nnstudio-warm-up", daemon=True)
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
    plan = compile_plan(g, batch_size=4)
    plan.set_optimizer("adam", lr=1e-3)
    X = np.zeros((4, 2), np.float32)
    plan.run_epoch(X, np.zeros(4, np.int64), shuffle_seed=0)
    plan.forward(X)
    plan.layer_stats()
    return time.perf_counter() - t0
