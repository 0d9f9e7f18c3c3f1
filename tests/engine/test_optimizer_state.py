"""plan.optimizer_state() / load_optimizer_state(): a recompiled plan continues bit for bit."""
from __future__ import annotations

import numpy as np
import pytest

import nnstudio as ns
from nnstudio.errors import TrainingError
from tests.conftest import build_mlp
from tests.engine.conftest import chain

OPTIMIZERS = [("adam", {}), ("momentum", {}), ("nesterov", {"weight_decay": 1e-3}),
              ("rmsprop", {"momentum": 0.5}), ("rmsprop", {}), ("sgd", {})]


def neurons_and_dropout():
    """Hand-wired neurons (one packed buffer for several nodes), dropout and a frozen layer."""
    g = ns.Graph()
    x = g.add("Input", shape=[3])
    hidden = [g.add("Neuron", activation="tanh") for _ in range(3)]
    for h in hidden:
        g.connect(x, h)
    d = g.add("Dense", units=4)
    for h in hidden:
        g.connect(h, d)
    drop = g.add("Dropout", p=0.3)
    g.connect(d, drop)
    frozen = g.add("Dense", units=4, frozen=True)
    g.connect(drop, frozen)
    y = g.add("Dense", units=2)
    g.connect(frozen, y)
    out = g.add("Output", loss="mse")
    g.connect(y, out)
    return g


def params_of(plan):
    return {nid: {k: v.copy() for k, v in t.items()} for nid, t in plan.params.items()}


def train(plan, X, Y, epochs):
    for e in epochs:
        plan.run_epoch(X, Y, shuffle_seed=e)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,options", OPTIMIZERS)
def test_resume_in_a_new_plan_equals_training_straight_through(name, options, dtype):
    g = neurons_and_dropout()
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(40, 3)), rng.normal(size=(40, 2))

    straight = ns.compile(g, 8, seed=1, dtype=dtype)
    straight.set_optimizer(name, lr=0.02, **options)
    train(straight, X, Y, range(6))

    first = ns.compile(g, 8, seed=1, dtype=dtype)
    first.set_optimizer(name, lr=0.02, **options)
    train(first, X, Y, range(2))
    weights, state = params_of(first), first.optimizer_state()
    del first

    resumed = ns.compile(g, 8, seed=99, dtype=dtype)  # another initialisation: everything comes from the save
    resumed.set_optimizer(name, lr=0.02, **options)
    resumed.load_params(weights)
    assert resumed.load_optimizer_state(state) == []
    train(resumed, X, Y, range(2, 6))
    for nid, tensors in straight.params.items():
        for k, v in tensors.items():
            assert resumed.params[nid][k].tobytes() == v.tobytes(), (name, nid, k)


def test_state_names_follow_pytorch_and_hold_copies():
    g, ids = build_mlp((2, 4, 1))
    plan = ns.compile(g, 4, seed=0)
    plan.set_optimizer("adam", lr=0.01)
    rng = np.random.default_rng(1)
    plan.step(rng.normal(size=(4, 2)), rng.normal(size=(4, 1)))
    state = plan.optimizer_state()
    d = ids["dense0"]
    assert {f"{d}/weight/exp_avg", f"{d}/weight/exp_avg_sq", f"{d}/bias/exp_avg"} <= set(state)
    assert str(state["optimizer"]) == "adam" and float(state["step"]) == 1.0 and float(state["lr"]) == 0.01
    assert state[f"{d}/weight/exp_avg"].shape == (4, 2) and np.any(state[f"{d}/weight/exp_avg"] != 0)
    before = state[f"{d}/weight/exp_avg"].copy()
    plan.step(rng.normal(size=(4, 2)), rng.normal(size=(4, 1)))
    np.testing.assert_array_equal(state[f"{d}/weight/exp_avg"], before)  # a copy, not a live view
    plan.set_optimizer("sgd", lr=0.1)
    assert not any("/" in k for k in plan.optimizer_state())  # plain SGD keeps no state


def test_another_optimizer_is_refused_and_misfits_are_reported():
    g, ids = build_mlp((2, 4, 1))
    plan = ns.compile(g, 4, seed=0)
    plan.set_optimizer("adam", lr=0.01)
    state = plan.optimizer_state()
    other = ns.compile(g, 4, seed=0)
    other.set_optimizer("momentum", lr=0.01)
    with pytest.raises(TrainingError, match="saved optimizer state is for adam, but this plan uses momentum"):
        other.load_optimizer_state(state)
    d = ids["dense0"]
    state[f"{d}/weight/exp_avg"] = np.zeros((3, 3), np.float32)
    del state[f"{d}/bias/exp_avg_sq"]
    state["n99/weight/exp_avg"] = np.zeros(2)
    problems = plan.load_optimizer_state(state)
    assert f"{d}/weight/exp_avg has shape 3x3, the plan needs 4x2" in problems
    assert f"{d}/bias/exp_avg_sq is missing" in problems
    assert "n99/weight/exp_avg belongs to no trainable tensor of this network" in problems


def test_a_conv_plan_round_trips_its_state():
    g, ids = chain((1, 6, 6), ("Conv2D", {"out_channels": 2, "kernel_size": 3}), ("Flatten", {}),
                   ("Dense", {"units": 1}))
    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(8, 1, 6, 6)), rng.normal(size=(8, 1))
    a = ns.compile(g, 4, seed=0)
    a.set_optimizer("rmsprop", lr=0.01, momentum=0.9)
    a.run_epoch(X, Y)
    b = ns.compile(g, 4, seed=5)
    b.set_optimizer("rmsprop", lr=0.01, momentum=0.9)
    b.load_params(params_of(a))
    assert b.load_optimizer_state(a.optimizer_state()) == []
    a.run_epoch(X, Y)
    b.run_epoch(X, Y)
    np.testing.assert_array_equal(a.params[ids[1]]["weight"], b.params[ids[1]]["weight"])
