"""Fixtures shared by every test folder."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if not os.environ.get("NNSTUDIO_DATA_DIR"):  # autosaves of the windows under test go to a scratch folder
    import tempfile

    os.environ["NNSTUDIO_DATA_DIR"] = tempfile.mkdtemp(prefix="nnstudio-test-data-")

import pytest
from hypothesis import HealthCheck, settings

import nnstudio as ns
from nnstudio.engine import configure_process

configure_process()  # as the app and the CLI do at start-up

settings.register_profile(
    "ci", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile("ci")


def build_mlp(sizes=(2, 8, 8, 1), activation="tanh", loss="mse") -> tuple[ns.Graph, dict[str, str]]:
    """Input -> (Dense -> Activation)* -> Dense -> Output; returns the graph and named ids."""
    g = ns.Graph()
    ids = {"input": g.add("Input", shape=[sizes[0]])}
    prev = ids["input"]
    for i, units in enumerate(sizes[1:]):
        d = g.add("Dense", units=units)
        g.connect(prev, d)
        prev = d
        ids[f"dense{i}"] = d
        if i < len(sizes) - 2:
            a = g.add("Activation", function=activation)
            g.connect(prev, a)
            prev = a
            ids[f"act{i}"] = a
    ids["output"] = g.add("Output", loss=loss)
    g.connect(prev, ids["output"])
    return g, ids


def build_cnn() -> tuple[ns.Graph, dict[str, str]]:
    """The benchmark CNN on 1x28x28."""
    g = ns.Graph()
    ids = {}
    chain = [
        ("input", "Input", {"shape": [1, 28, 28]}),
        ("conv1", "Conv2D", {"out_channels": 8, "kernel_size": 3}),
        ("relu1", "Activation", {"function": "relu"}),
        ("pool1", "MaxPool2D", {"kernel_size": 2}),
        ("conv2", "Conv2D", {"out_channels": 16, "kernel_size": 3}),
        ("relu2", "Activation", {"function": "relu"}),
        ("pool2", "MaxPool2D", {"kernel_size": 2}),
        ("flat", "Flatten", {}),
        ("dense", "Dense", {"units": 10}),
        ("output", "Output", {"loss": "cross_entropy"}),
    ]
    prev = None
    for key, kind, params in chain:
        nid = g.add(kind, **params)
        ids[key] = nid
        if prev is not None:
            g.connect(prev, nid)
        prev = nid
    return g, ids


@pytest.fixture
def mlp():
    return build_mlp()


@pytest.fixture
def cnn():
    return build_cnn()


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    """Compile (or load from the cache) the engine's kernels for both float types before the first
    test: on a fresh cache that takes minutes, and no single test should carry it (per-test timeout)."""
    if session.config.option.collectonly or not session.items:
        return
    from nnstudio.engine import warm_up

    for dtype in ("float32", "float64"):
        warm_up(dtype=dtype)
