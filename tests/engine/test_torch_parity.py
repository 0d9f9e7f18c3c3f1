"""Forward, gradients and optimizer steps match PyTorch on random graphs with copied weights."""
from __future__ import annotations

import numpy as np
import pytest

import nnstudio as ns
from tests.engine.conftest import chain, random_targets

torch = pytest.importorskip("torch")
from tests.engine.torch_bridge import TorchNet, torch_loss, torch_optimizer  # noqa: E402


def random_graph(rng: np.random.Generator, loss: str):
    """A random DAG of flat layers: Dense/Neuron/activations/norms, skips (Add) and Concat."""
    g = ns.Graph()
    x = g.add("Input", shape=[int(rng.integers(2, 5))])
    width = {x: g.nodes[x].params["shape"][0]}
    frontier = [x]
    for _ in range(int(rng.integers(3, 7))):
        choice = rng.choice(["dense", "act", "norm", "add", "concat", "neurons"])
        src = frontier[int(rng.integers(len(frontier)))]
        if choice == "dense":
            nid = g.add("Dense", units=int(rng.integers(2, 6)))
            g.connect(src, nid)
            width[nid] = g.nodes[nid].params["units"]
        elif choice == "act":
            nid = g.add("Activation", function=str(rng.choice(["relu", "tanh", "gelu", "sigmoid", "elu", "swish"])))
            g.connect(src, nid)
            width[nid] = width[src]
        elif choice == "norm":
            nid = g.add(str(rng.choice(["LayerNorm", "BatchNorm"])))
            g.connect(src, nid)
            width[nid] = width[src]
        elif choice == "add":
            d = g.add("Dense", units=width[src])
            g.connect(src, d)
            nid = g.add("Add")
            g.connect(src, nid), g.connect(d, nid)
            width[nid] = width[src]
        elif choice == "concat" and len(frontier) > 1:
            other = frontier[int(rng.integers(len(frontier)))]
            if other == src:
                other = frontier[0] if src != frontier[0] else frontier[-1]
            nid = g.add("Concat")
            g.connect(src, nid), g.connect(other, nid)
            width[nid] = width[src] + width[other]
        elif choice == "neurons":  # two hand-wired neurons reading different inputs
            a = g.add("Neuron", activation="tanh")
            b = g.add("Neuron", activation="tanh")
            g.connect(src, a), g.connect(src, b)
            if src != frontier[0]:
                g.connect(frontier[0], b)
            nid = g.add("Dense", units=3)
            g.connect(a, nid), g.connect(b, nid)
            width[nid] = 3
        else:
            continue
        frontier.append(nid)
    last = g.add("Dense", units=3)
    g.connect(frontier[-1], last)
    out = g.add("Output", loss=loss)
    g.connect(last, out)
    return g


def _compare(g, x, y, loss, optimizer=None, opts=None, steps=1):
    plan = ns.compile(g, batch_size=len(x), seed=3, dtype="float64")
    net = TorchNet(g, plan.params)
    xt, yt = torch.tensor(x), torch.tensor(np.asarray(y, dtype=np.float64))
    net.eval()
    np.testing.assert_allclose(plan.forward(x), net(xt).detach().numpy(), rtol=1e-7, atol=1e-9)
    net.train()
    if optimizer is None:
        value, grads = plan.gradients(x, y)
        lt = torch_loss(loss, net(xt), yt)
        lt.backward()
        np.testing.assert_allclose(value, lt.item(), rtol=1e-7, atol=1e-10)
        for name, prm in net.tensors.items():
            nid, k = name.rsplit("_", 1)
            expected = prm.grad.numpy() if prm.grad is not None else np.zeros(prm.shape)  # off the loss path
            np.testing.assert_allclose(grads[nid][k], expected, rtol=1e-6, atol=1e-9, err_msg=name)
        return
    plan.set_optimizer(optimizer, lr=0.05, **(opts or {}))
    topt = torch_optimizer(optimizer, net.parameters(), 0.05, **(opts or {}))
    for _ in range(steps):
        plan.step(x, y)
        topt.zero_grad()
        torch_loss(loss, net(xt), yt).backward()
        topt.step()
    for name, prm in net.tensors.items():
        nid, k = name.rsplit("_", 1)
        np.testing.assert_allclose(plan.params[nid][k], prm.detach().numpy(), rtol=1e-6, atol=1e-9, err_msg=name)


@pytest.mark.parametrize("seed", range(12))
def test_random_graphs_match_torch(seed):
    rng = np.random.default_rng(seed)
    loss = ["mse", "cross_entropy", "bce", "mae"][seed % 4]
    g = random_graph(rng, loss)
    x = rng.normal(size=(6, g.nodes[g.nodes_of_kind("Input")[0].id].params["shape"][0]))
    _compare(g, x, random_targets(rng, loss, 6, 3), loss)


def test_cnn_matches_torch(cnn, rng):
    g, _ = cnn
    x = rng.normal(size=(4, 1, 28, 28))
    _compare(g, x, rng.integers(0, 10, size=4), "cross_entropy")


OPTIMIZERS = [
    ("sgd", {}), ("sgd", {"weight_decay": 0.01}), ("momentum", {"momentum": 0.9}),
    ("nesterov", {"momentum": 0.8, "weight_decay": 0.001}), ("adam", {}), ("adam", {"betas": (0.8, 0.99), "eps": 1e-6}),
    ("adam", {"weight_decay": 0.01}), ("rmsprop", {}), ("rmsprop", {"alpha": 0.9, "momentum": 0.5}),
]


@pytest.mark.parametrize("optimizer,opts", OPTIMIZERS, ids=[f"{o}-{i}" for i, (o, _) in enumerate(OPTIMIZERS)])
def test_optimizer_steps_match_torch(optimizer, opts, rng):
    g, _ = chain([3], ("Dense", {"units": 5}), ("Activation", {"function": "tanh"}), ("Dense", {"units": 2}),
                 loss="mse")
    x = rng.normal(size=(8, 3))
    _compare(g, x, rng.normal(size=(8, 2)), "mse", optimizer, opts, steps=3)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_l1_adds_its_sign_term_to_the_gradient(optimizer, rng):
    """PyTorch has no l1 option; the step must be the optimizer's on grad + l1 * sign(p)."""
    g, _ = chain([3], ("Dense", {"units": 4}), loss="mse")
    x, y = rng.normal(size=(8, 3)), rng.normal(size=(8, 4))
    plan = ns.compile(g, batch_size=8, dtype="float64")
    plan.set_optimizer(optimizer, lr=0.1, l1=0.05)
    (nid,) = plan.params
    before = {k: v.copy() for k, v in plan.params[nid].items()}
    _, grads = plan.gradients(x, y)
    plan.step(x, y)
    for key, p0 in before.items():
        gi = grads[nid][key] + 0.05 * np.sign(p0)
        if optimizer == "sgd":
            expected = p0 - 0.1 * gi
        else:  # the first Adam step: bias-corrected moments of one gradient
            m, v = 0.1 * gi, 0.001 * gi * gi
            expected = p0 - 0.1 / 0.1 * m / (np.sqrt(v) / np.sqrt(0.001) + 1e-8)
        np.testing.assert_allclose(plan.params[nid][key], expected, rtol=1e-10, atol=1e-12)


def test_gradient_clipping_matches_torch(rng):
    g, _ = chain([3], ("Dense", {"units": 4}), ("Dense", {"units": 2}), loss="mse")
    x, y = rng.normal(size=(8, 3)) * 10, rng.normal(size=(8, 2))
    plan = ns.compile(g, batch_size=8, dtype="float64")
    net = TorchNet(g, plan.params)
    plan.set_optimizer("sgd", lr=0.1, clip_grad_norm=0.5)
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    plan.step(x, y)
    torch_loss("mse", net(torch.tensor(x)), torch.tensor(y)).backward()
    torch.nn.utils.clip_grad_norm_(net.parameters(), 0.5)
    opt.step()
    for name, prm in net.tensors.items():
        nid, k = name.rsplit("_", 1)
        np.testing.assert_allclose(plan.params[nid][k], prm.detach().numpy(), rtol=1e-6, atol=1e-9)


def test_float32_forward_close_to_torch(mlp, rng):
    g, _ = mlp
    plan = ns.compile(g, batch_size=16)
    net = TorchNet(g, plan.params, dtype=torch.float32)
    x = rng.normal(size=(16, 2)).astype(np.float32)
    np.testing.assert_allclose(plan.forward(x), net(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)
