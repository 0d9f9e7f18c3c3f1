"""Numba kernels, one module per family of node kinds.

Every kernel is decorated with :data:`kernel` (``njit`` cached, without the GIL,
and with NumPy's error model: a float division by zero gives inf or NaN - which
training reports as divergence - instead of a check that stops LLVM from
vectorizing any loop that divides; Adam's update ran 5x slower with it). A
kernel works on arrays it is given (no allocation in the hot path) and takes
hyperparameters as arguments.
Kernels that split a batch over threads use :data:`parallel_kernel` (``prange``); the
threading layer and thread count are set in :mod:`nnstudio.engine.threads`.
Backward kernels take an ``acc`` flag: 0 overwrites the input gradient, 1 adds
to it (for a value read by several consumers).
"""
from functools import partial

from numba import njit

from nnstudio.engine import cache as _cache  # noqa: F401  (registers the cache locator first)

kernel = partial(njit, cache=True, nogil=True, error_model="numpy")

parallel_kernel = partial(kernel, parallel=True)
