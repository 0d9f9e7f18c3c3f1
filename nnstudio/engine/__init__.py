"""The Numba engine: graphs compile into plans that train in compiled code.

Importing this package registers nnstudio's kernel cache folder with numba
(see :mod:`nnstudio.engine.cache`) before any kernel is compiled.
"""
from __future__ import annotations

import os

#: Whether the user chose OpenMP's wait policy. If not, we ask for PASSIVE: an OpenMP library
#: in the same process (PyTorch's, in a script that uses both) would otherwise keep its threads
#: spinning between calls and starve the engine's BLAS threads on a 2-core machine.
OMP_POLICY_FROM_USER = "OMP_WAIT_POLICY" in os.environ
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from nnstudio.engine import cache  # noqa: E402,F401  (must come before the kernels)
from nnstudio.engine.compiler import compile_program  # noqa: E402
from nnstudio.engine.plan import OPTIMIZERS, Plan  # noqa: E402
from nnstudio.engine.threads import kernels_ready, set_threads, warm_up  # noqa: E402

__all__ = ["compile", "Plan", "OPTIMIZERS", "set_threads", "warm_up", "kernels_ready"]


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
