"""Threads: the setting reaches BLAS and the parallel kernels; results do not depend on it;
plans run from several Python threads at once."""
from __future__ import annotations

import importlib.metadata
import threading

import numba
import numpy as np
import pytest
from threadpoolctl import threadpool_info

import nnstudio as ns
from nnstudio.engine import set_threads
from nnstudio.engine.threads import SCRATCH_SLOTS
from tests.conftest import build_cnn


def _cnn_data(n=200, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 1, 28, 28)).astype(np.float32), rng.integers(0, 10, size=n)


def _train_cnn(epochs=2, batch_size=32):
    g, _ = build_cnn()
    plan = ns.compile(g, batch_size=batch_size, seed=3)
    plan.set_optimizer("adam", lr=1e-3)
    x, y = _cnn_data()
    losses = [plan.run_epoch(x, y, shuffle_seed=e) for e in range(epochs)]
    return losses, {nid: {k: v.copy() for k, v in t.items()} for nid, t in plan.params.items()}


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


@pytest.fixture
def threads():
    yield set_threads
    set_threads(None)


def test_results_do_not_depend_on_the_thread_count(threads):
    """Conv layers split the batch into chunks with their own partial weight gradients; the partials
    are added in chunk order, so 1 and 2 threads give the same bits."""
    threads(1)
    assert numba.get_num_threads() >= 1
    losses1, params1 = _train_cnn()
    threads(2)
    losses2, params2 = _train_cnn()
    assert losses1 == losses2
    for nid, t in params1.items():
        for k, v in t.items():
            np.testing.assert_array_equal(v, params2[nid][k], err_msg=f"{nid}.{k}")


def test_the_parallel_kernels_use_the_threads_they_are_given(threads):
    threads(2)
    g, _ = build_cnn()
    plan = ns.compile(g, batch_size=8)
    plan.forward(_cnn_data(8)[0])
    assert numba.get_num_threads() == min(2, numba.config.NUMBA_NUM_THREADS)
    threads(1)
    plan.forward(_cnn_data(8)[0])
    assert numba.get_num_threads() == 1
    assert SCRATCH_SLOTS == min(numba.config.NUMBA_NUM_THREADS, 8)


def test_plans_train_in_two_python_threads_at_once(threads):
    """The app warms up kernels while a training run may start: both run parallel loops at once.
    numba's workqueue layer would abort the process here; TBB and OpenMP do not."""
    threads(2)
    expected = _train_cnn()
    results = [None, None]

    def work(i):
        results[i] = _train_cnn()

    workers = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    for losses, params in results:
        assert losses == expected[0]
        for nid, t in params.items():
            for k, v in t.items():
                np.testing.assert_array_equal(v, expected[1][nid][k])
    layer = numba.threading_layer()
    assert layer in ("tbb", "omp")
    try:
        importlib.metadata.distribution("tbb")
    except importlib.metadata.PackageNotFoundError:
        return
    assert layer == "tbb"  # pip's libtbb is found although it is not on the loader's path


def test_kernels_ready_is_false_while_a_background_warm_up_runs(monkeypatch):
    import threading

    from nnstudio.engine import kernels_ready, threads

    real_warm_up = threads.warm_up
    release = threading.Event()

    def held_warm_up(background: bool = False):
        # With a warm cache the real warm-up can finish before the caller looks; hold it until then.
        assert release.wait(timeout=60)
        return real_warm_up(background)

    monkeypatch.setattr(threads, "warm_up", held_warm_up)
    assert kernels_ready()  # no warm-up under way
    thread = real_warm_up(background=True)
    assert not kernels_ready()  # cleared before the thread starts: no window in which it lies
    release.set()
    thread.join(timeout=300)
    assert not thread.is_alive() and kernels_ready()
