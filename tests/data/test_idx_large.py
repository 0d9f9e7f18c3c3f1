"""IDX loading: exact round trips of every IDX type, and MNIST-size data held once in memory."""
from __future__ import annotations

import tracemalloc

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import nnstudio as ns
from nnstudio.data.dataset import make_dataset
from tests.data.idx_files import synthetic_mnist, write_idx

_DTYPES = st.sampled_from([np.uint8, np.int8, ">i2", ">i4", ">f4", ">f8"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a=_DTYPES.flatmap(lambda dt: hnp.arrays(dt, hnp.array_shapes(min_dims=1, max_dims=4, max_side=5))),
       gz=st.booleans())
def test_idx_write_then_read_gives_the_same_array(tmp_path, a, gz):
    back = ns.data.read_idx(write_idx(tmp_path / "a.idx", a, gz=gz))
    assert back.shape == a.shape and back.dtype == a.dtype
    np.testing.assert_array_equal(back, a)  # NaNs compare equal here, as they should


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=st.integers(1, 40), h=st.integers(1, 6), w=st.integers(1, 6), classes=st.integers(1, 5),
       val=st.sampled_from([0.0, 0.2, 0.5]), seed=st.integers(0, 3), dt=st.sampled_from([np.uint8, ">i2"]),
       data=st.data())
def test_integer_images_load_as_the_general_path_would_have(tmp_path, n, h, w, classes, val, seed, dt, data):
    images = data.draw(hnp.arrays(dt, (n, h, w), elements=st.integers(0, 255)))
    labels = data.draw(hnp.arrays(np.uint8, (n,), elements=st.integers(0, classes - 1)))
    ds = ns.data.load_idx(write_idx(tmp_path / "i.idx", images), write_idx(tmp_path / "l.idx", labels),
                          val_ratio=val, seed=seed)
    # the reference: convert all of it, scale, then split as every loader does
    scale = 255.0 if images.dtype == np.uint8 else 1.0
    ref = make_dataset(images[:, None].astype(np.float32) / scale, labels.astype(np.int64), "classification",
                       [str(c) for c in np.unique(labels)], {}, val, seed)
    for got, want in ((ds.X_train, ref.X_train), (ds.X_val, ref.X_val)):
        assert got.dtype == np.float32 and got.flags.c_contiguous and got.shape == want.shape
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(ds.y_train, np.searchsorted(np.unique(labels), ref.y_train))
    np.testing.assert_array_equal(ds.y_val, np.searchsorted(np.unique(labels), ref.y_val))
    assert ds.class_names == [str(c) for c in np.unique(labels)] and ds.input_shape == (1, h, w)


def test_mnist_size_idx_loads_holding_the_data_once(tmp_path):
    images, labels = synthetic_mnist(tmp_path)
    data_bytes = 60_000 * 784 * 4  # the float32 inputs the engine trains on
    tracemalloc.start()
    try:
        ds = ns.data.load_idx(images, labels, val_ratio=1 / 6)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert ds.X_train.shape == (50_000, 1, 28, 28) and ds.X_val.shape == (10_000, 1, 28, 28)
    # the file's bytes (a quarter of the float32 size) plus the float32 split, nothing more
    assert peak < 1.3 * data_bytes, f"peak {peak / 1e6:.0f} MB for {data_bytes / 1e6:.0f} MB of data"
    assert ds.X_train.dtype == np.float32 and float(ds.X_train.max()) <= 1.0
    assert sorted(ds.class_names) == [str(c) for c in range(10)]
    # training takes the arrays as they are: no second copy of the data
    from nnstudio.training.settings import TrainingSettings
    from nnstudio.training.trainer import Trainer
    from tests.bench.bench_mnist import mlp_graph

    trainer = Trainer(mlp_graph(), ds, TrainingSettings(batch_size=256, epochs=1))
    assert np.shares_memory(trainer.X_train, ds.X_train) and np.shares_memory(trainer.X_val, ds.X_val)
