"""Graph builders and the comparison helper the engine tests share."""
from __future__ import annotations

import numpy as np
import pytest

import nnstudio as ns
from nnstudio.engine.reference import ReferenceNet, numerical_gradient


def chain(input_shape, *layers, loss="mse"):
    """Input -> layers (kind, params) -> Output; returns (graph, ids in order)."""
    g = ns.Graph()
    ids = [g.add("Input", shape=list(input_shape))]
    for kind, params in layers:
        nid = g.add(kind, **params)
        g.connect(ids[-1], nid)
        ids.append(nid)
    out = g.add("Output", loss=loss)
    g.connect(ids[-1], out)
    ids.append(out)
    return g, ids


def random_targets(rng, loss, n, k):
    if loss == "cross_entropy":
        return rng.integers(0, k, size=n)
    if loss == "bce":
        return rng.integers(0, 2, size=(n, k)).astype(np.float64)
    return rng.normal(size=(n, k))


def check_against_reference(graph, x, y, *, atol=1e-8, fd_params=3, seed=0, fixed_seed=7):
    """float64 plan vs the NumPy reference (outputs, loss, every gradient) and finite differences."""
    plan = ns.compile(graph, batch_size=len(x), seed=seed, dtype="float64")
    plan.fixed_seed = fixed_seed
    ref = ReferenceNet(graph, plan.params)
    out = plan.forward(x)
    ref_out = ref.forward(x)[graph.nodes_of_kind("Output")[0].id]
    np.testing.assert_allclose(out, ref_out, atol=atol, rtol=1e-7)
    ref_eval_loss, _ = ReferenceNet(graph, plan.params).loss_and_grads(x, y, train=False)
    np.testing.assert_allclose(plan.loss(x, y), ref_eval_loss, atol=atol, rtol=1e-7)
    loss, grads = plan.gradients(x, y)
    # replay the engine's dropout masks in the reference
    masks = {}
    for d in graph.nodes_of_kind("Dropout"):
        acts = _train_masks(plan, graph, d.id, x)
        if acts is not None:
            masks[d.id] = acts
    ref = ReferenceNet(graph, _params_before_bn_update(plan, graph))
    ref_loss, ref_grads = ref.loss_and_grads(x, y, train=True, masks=masks)
    np.testing.assert_allclose(loss, ref_loss, atol=atol, rtol=1e-7)
    for nid, t in ref_grads.items():
        for name, g in t.items():
            np.testing.assert_allclose(grads[nid][name], g, atol=atol, rtol=1e-6, err_msg=f"{nid}.{name}")
    # finite differences of the training-mode loss, on a few parameters
    checked = 0
    for nid, t in plan.params.items():
        for name in ("weight", "bias"):
            if name not in t or checked >= fd_params or graph.nodes[nid].params.get("frozen"):
                continue
            a = t[name]
            num = numerical_gradient(lambda: plan.gradients(x, y)[0], a)
            np.testing.assert_allclose(grads[nid][name], num, atol=1e-6, rtol=1e-4, err_msg=f"FD {nid}.{name}")
            checked += 1
    return plan, loss, grads


def _train_masks(plan, graph, nid, x):
    """The dropout mask of node nid in the engine's last training pass (exposed by its op)."""
    return plan.internals(nid).get("mask")


def _params_before_bn_update(plan, graph):
    """Parameters as the reference needs them; BatchNorm running stats do not affect training mode."""
    return {nid: {k: np.array(v) for k, v in t.items()} for nid, t in plan.params.items()}


@pytest.fixture
def rng():
    return np.random.default_rng(1234)
