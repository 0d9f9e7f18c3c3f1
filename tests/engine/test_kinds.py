"""Every node kind: engine vs NumPy reference vs finite differences, in float64."""
from __future__ import annotations

import numpy as np
import pytest

from nnstudio.graph import kinds
from tests.engine.conftest import chain, check_against_reference, random_targets

ACTS = [a for a in kinds.ACTIVATIONS]

FLAT_CASES = {
    "Dense": ("Dense", {"units": 5}),
    "Dense-nobias": ("Dense", {"units": 3, "bias": False}),
    "Dropout": ("Dropout", {"p": 0.4}),
    "BatchNorm": ("BatchNorm", {}),
    "LayerNorm": ("LayerNorm", {}),
    **{f"Activation-{a}": ("Activation", {"function": a}) for a in ACTS},
    **{f"Neuron-{a}": ("Neuron", {"activation": a}) for a in ("tanh", "relu", "sigmoid")},
}


@pytest.mark.parametrize("case", sorted(FLAT_CASES))
@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
def test_flat_kind(case, loss, rng):
    kind, params = FLAT_CASES[case]
    g, ids = chain([4], ("Dense", {"units": 6}), (kind, params), ("Dense", {"units": 3}), loss=loss)
    x = rng.normal(size=(7, 4))
    check_against_reference(g, x, random_targets(rng, loss, 7, 3))


@pytest.mark.parametrize("loss", ["mse", "mae", "bce", "cross_entropy"])
def test_losses(loss, rng):
    g, _ = chain([3], ("Dense", {"units": 4}), loss=loss)
    x = rng.normal(size=(9, 3))
    check_against_reference(g, x, random_targets(rng, loss, 9, 4))


IMAGE_CASES = {
    "Conv2D": [("Conv2D", {"out_channels": 3, "kernel_size": 3})],
    "Conv2D-stride-pad": [("Conv2D", {"out_channels": 2, "kernel_size": 3, "stride": 2, "padding": 1})],
    "Conv2D-1x1-nobias": [("Conv2D", {"out_channels": 4, "kernel_size": 1, "bias": False})],
    "MaxPool2D": [("Conv2D", {"out_channels": 2, "kernel_size": 1}), ("MaxPool2D", {"kernel_size": 2})],
    "MaxPool2D-stride1": [("Conv2D", {"out_channels": 2, "kernel_size": 1}),
                          ("MaxPool2D", {"kernel_size": 2, "stride": 1})],
    "AvgPool2D": [("Conv2D", {"out_channels": 2, "kernel_size": 1}), ("AvgPool2D", {"kernel_size": 2})],
    "BatchNorm-image": [("Conv2D", {"out_channels": 2, "kernel_size": 3}), ("BatchNorm", {})],
    "LayerNorm-image": [("Conv2D", {"out_channels": 2, "kernel_size": 3}), ("LayerNorm", {})],
    "Activation-image": [("Conv2D", {"out_channels": 2, "kernel_size": 3}), ("Activation", {"function": "gelu"})],
}


@pytest.mark.parametrize("case", sorted(IMAGE_CASES))
def test_image_kind(case, rng):
    layers = IMAGE_CASES[case] + [("Flatten", {}), ("Dense", {"units": 3})]
    g, _ = chain([2, 6, 6], *layers, loss="cross_entropy")
    x = rng.normal(size=(3, 2, 6, 6))
    check_against_reference(g, x, random_targets(rng, "cross_entropy", 3, 3))


def test_reshape_and_embedding(rng):
    g, ids = chain([4], ("Embedding", {"num_embeddings": 6, "embedding_dim": 3}), ("Flatten", {}),
                   ("Dense", {"units": 2}), loss="mse")
    x = rng.integers(0, 6, size=(5, 4)).astype(float)
    plan, _, grads = check_against_reference(g, x, rng.normal(size=(5, 2)))
    # tokens never seen get no gradient
    unused = sorted(set(range(6)) - set(x.astype(int).ravel()))
    emb = ids[1]
    for t in unused:
        assert not grads[emb]["weight"][t].any()
    g2, _ = chain([12], ("Reshape", {"shape": [3, 2, 2]}), ("Conv2D", {"out_channels": 2, "kernel_size": 2}),
                  ("Flatten", {}), ("Dense", {"units": 2}), loss="mse")
    check_against_reference(g2, rng.normal(size=(4, 12)), rng.normal(size=(4, 2)))


def test_add_and_concat_merges(rng):
    import nnstudio as ns

    g = ns.Graph()
    x = g.add("Input", shape=[3])
    a = g.add("Dense", units=4)
    b = g.add("Dense", units=4)
    act = g.add("Activation", function="tanh")
    add = g.add("Add")
    cat = g.add("Concat")
    d = g.add("Dense", units=2)
    out = g.add("Output", loss="mse")
    g.connect(x, a), g.connect(a, act), g.connect(x, b)
    g.connect(act, add), g.connect(b, add), g.connect(a, add)  # a reaches add twice: via act and directly
    g.connect(add, cat), g.connect(b, cat)
    g.connect(cat, d), g.connect(d, out)
    check_against_reference(g, rng.normal(size=(5, 3)), rng.normal(size=(5, 2)))


def test_image_concat_channels(rng):
    import nnstudio as ns

    g = ns.Graph()
    x = g.add("Input", shape=[1, 5, 5])
    c1 = g.add("Conv2D", out_channels=2, kernel_size=3, padding=1)
    c2 = g.add("Conv2D", out_channels=3, kernel_size=1)
    cat = g.add("Concat")
    f = g.add("Flatten")
    d = g.add("Dense", units=2)
    out = g.add("Output", loss="cross_entropy")
    g.connect(x, c1), g.connect(x, c2), g.connect(c1, cat), g.connect(c2, cat)
    g.connect(cat, f), g.connect(f, d), g.connect(d, out)
    check_against_reference(g, rng.normal(size=(3, 1, 5, 5)), rng.integers(0, 2, size=3))


def test_image_gradients_accumulate_across_parallel_chunks(rng):
    """Conv and pool outputs read by several consumers: every backward kernel adds into a shared
    gradient (acc), with a batch of 5 that the parallel kernels cut into uneven chunks."""
    import nnstudio as ns

    g = ns.Graph()
    x = g.add("Input", shape=[2, 6, 6])
    c0 = g.add("Conv2D", out_channels=3, kernel_size=3, padding=1)
    c1 = g.add("Conv2D", out_channels=3, kernel_size=1)
    c2 = g.add("Conv2D", out_channels=3, kernel_size=3, padding=1)
    add = g.add("Add")
    mp = g.add("MaxPool2D", kernel_size=2)
    ap = g.add("AvgPool2D", kernel_size=2)
    cat = g.add("Concat")
    f = g.add("Flatten")
    d = g.add("Dense", units=3)
    out = g.add("Output", loss="cross_entropy")
    g.connect(x, c0), g.connect(c0, c1), g.connect(c0, c2), g.connect(c0, add)
    g.connect(c1, add), g.connect(c2, add), g.connect(add, mp), g.connect(add, ap)
    g.connect(mp, cat), g.connect(ap, cat), g.connect(cat, f), g.connect(f, d), g.connect(d, out)
    check_against_reference(g, rng.normal(size=(5, 2, 6, 6)), rng.integers(0, 3, size=5))


def test_frozen_layer_gets_no_update(rng):
    import nnstudio as ns

    g, ids = chain([3], ("Dense", {"units": 4, "frozen": True}), ("Activation", {"function": "relu"}),
                   ("Dense", {"units": 2}), loss="mse")
    plan = ns.compile(g, batch_size=8, dtype="float64")
    plan.set_optimizer("sgd", lr=0.1)
    frozen_before = plan.params[ids[1]]["weight"].copy()
    trained_before = plan.params[ids[3]]["weight"].copy()
    plan.step(rng.normal(size=(8, 3)), rng.normal(size=(8, 2)))
    np.testing.assert_array_equal(plan.params[ids[1]]["weight"], frozen_before)
    assert not np.array_equal(plan.params[ids[3]]["weight"], trained_before)
