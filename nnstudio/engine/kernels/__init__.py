"""Numba kernels, one module per family of node kinds.

Every kernel is ``@njit(cache=True, nogil=True)``, works on arrays it is given
(no allocation in the hot path) and takes hyperparameters as arguments.
Backward kernels take an ``acc`` flag: 0 overwrites the input gradient, 1 adds
to it (for a value read by several consumers).
"""
from nnstudio.engine import cache as _cache  # noqa: F401  (registers the cache locator first)
