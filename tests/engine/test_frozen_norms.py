"""A frozen BatchNorm or LayerNorm still passes the right gradient to the layers before it.

(The engine once wrote a frozen norm's parameter-gradient sums over its saved 1/std, so the
layers before it learned from a wrong gradient; the PyTorch export's parity tests found it.)
"""
from __future__ import annotations

import numpy as np
import pytest

import nnstudio as ns
from nnstudio.engine.reference import ReferenceNet
from tests.engine.conftest import chain


@pytest.mark.parametrize("norm, shape", [("BatchNorm", [3]), ("BatchNorm", [2, 3, 3]), ("LayerNorm", [3]),
                                         ("LayerNorm", [2, 3, 3])])
def test_frozen_norm_passes_the_reference_gradient_upstream(norm, shape):
    rng = np.random.default_rng(4)
    first = ("Conv2D", {"out_channels": 2, "kernel_size": 1}) if len(shape) == 3 else ("Dense", {"units": 12})
    layers = [first, (norm, {"frozen": True})] + ([("Flatten", {})] if len(shape) == 3 else []) + \
        [("Dense", {"units": 2})]
    g, ids = chain(shape, *layers, loss="mse")
    n = 4  # fewer samples than the LayerNorm has features: its sums must not land in per-sample buffers
    x, y = rng.normal(size=(n, *shape)), rng.normal(size=(n, 2))
    plan = ns.compile(g, batch_size=n, seed=1, dtype="float64")
    ref_loss, ref_grads = ReferenceNet(g, plan.params).loss_and_grads(x, y)
    loss, grads = plan.gradients(x, y)
    np.testing.assert_allclose(loss, ref_loss, rtol=1e-10)
    np.testing.assert_allclose(grads[ids[1]]["weight"], ref_grads[ids[1]]["weight"], rtol=1e-7, atol=1e-10)
