"""The Numba engine: graphs compile into plans that train in compiled code.

Importing this package registers nnstudio's kernel cache folder with numba
(see :mod:`nnstudio.engine.cache`) before any kernel is compiled. Process-wide
settings are not changed at import: entry points call :func:`configure_process`.
"""
from __future__ import annotations

import os

#: Whether the user chose OpenMP's wait policy (read at import, before configure_process sets it).
OMP_POLICY_FROM_USER = "OMP_WAIT_POLICY" in os.environ

from nnstudio.engine import cache  # noqa: E402,F401  (must come before the kernels)
from nnstudio.engine.compiler import compile_program  # noqa: E402
from nnstudio.engine.plan import OPTIMIZERS, Plan  # noqa: E402
from nnstudio.engine.threads import choose_threading_layer, kernels_ready, set_threads, warm_up  # noqa: E402

__all__ = ["compile", "Plan", "OPTIMIZERS", "set_threads", "warm_up", "kernels_ready", "configure_process"]


def configure_process() -> None:
    """Apply the engine's process-wide settings; call it first thing in a program (idempotent).

    * OpenMP's wait policy: PASSIVE unless the user set ``OMP_WAIT_POLICY``. An OpenMP library
      in the same process (PyTorch's, in a script that uses both) would otherwise keep its threads
      spinning between calls and starve the engine's BLAS threads on a 2-core machine. It only
      takes effect for OpenMP libraries loaded after this call.
    * numba's threading layer: a thread-safe one (see
      :func:`nnstudio.engine.threads.choose_threading_layer`), before numba starts threads.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    choose_threading_layer()


def compile(graph, batch_size: int, seed: int = 0, dtype: str = "float32") -> Plan:  # noqa: A001
    """Compile a graph into a :class:`Plan` (validates it; raises CompileError with advice).

    Parameters
    ----------
    graph : nnstudio.Graph
    batch_size : int
        Largest batch the plan runs; smaller last batches are fine.
    seed : int
        Seeds the weight initialisation and dropout.
    dtype : {"float32", "float64"}
    """
    return Plan(compile_program(graph, batch_size, seed, dtype), seed)
