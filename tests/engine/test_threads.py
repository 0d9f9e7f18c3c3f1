"""The thread setting reaches the BLAS the compiled kernels call."""
from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_info

import nnstudio as ns
from nnstudio.engine import set_threads


def _blas_threads() -> dict[str, int]:
    return {i["filepath"]: i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}


def test_set_threads_limits_every_blas_including_the_one_the_kernels_use():
    try:
        set_threads(1)
        libs = _blas_threads()
        # scipy's BLAS is the one numba's np.dot calls; it is loaded only for the engine
        assert any("scipy" in path for path in libs), libs
        assert set(libs.values()) == {1}
        # training still works and the limit survives it
        g = ns.Graph()
        x = g.add("Input", shape=[64])
        d = g.add("Dense", units=64)
        o = g.add("Output", loss="mse")
        g.connect(x, d), g.connect(d, o)
        plan = ns.compile(g, batch_size=64)
        rng = np.random.default_rng(0)
        assert np.isfinite(plan.run_epoch(rng.normal(size=(128, 64)), rng.normal(size=(128, 64))))
        assert set(_blas_threads().values()) == {1}
    finally:
        set_threads(None)
    assert all(n >= 1 for n in _blas_threads().values())
