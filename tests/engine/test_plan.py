"""The Plan API: epochs in compiled code, state, statistics, errors, threads."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import nnstudio as ns
from nnstudio.errors import CompileError, TrainingError
from tests.conftest import build_cnn, build_mlp
from tests.engine.conftest import chain


def xor_data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, size=(n, 2)).astype(np.float32)
    y = ((x[:, 0] > 0) ^ (x[:, 1] > 0)).astype(np.int64)
    return x, y


def twin_plans(optimizer, lr):
    """Two identical float64 plans of a small xor net, and 40 samples of xor."""
    g, _ = build_mlp((2, 6, 2), activation="tanh", loss="cross_entropy")
    plans = [ns.compile(g, batch_size=8, seed=5, dtype="float64") for _ in range(2)]
    for p in plans:
        p.set_optimizer(optimizer, lr=lr)
    return (*plans, *xor_data(40))


def test_run_epoch_equals_the_same_steps_one_by_one():
    a, b, x, y = twin_plans("adam", 0.01)
    mean = a.run_epoch(x, y, shuffle_seed=9)
    order = np.random.default_rng(9).permutation(40)
    losses = [b.step(x[order[i:i + 8]], y[order[i:i + 8]]) for i in range(0, 40, 8)]
    assert mean == pytest.approx(np.mean(losses), rel=1e-12)
    for nid in a.params:
        np.testing.assert_allclose(a.params[nid]["weight"], b.params[nid]["weight"], rtol=1e-12)


def test_run_epoch_hands_back_each_samples_training_outputs_before_its_update():
    a, b, x, y = twin_plans("sgd", 0.5)
    out = np.full((40, 2), np.nan)
    a.run_epoch(x, y, shuffle_seed=9, outputs=out)
    order = np.random.default_rng(9).permutation(40)
    for i in range(0, 40, 8):  # each batch's outputs come from the weights before its own step
        rows = order[i:i + 8]
        np.testing.assert_allclose(out[rows], b.forward(x[rows]), rtol=1e-12)
        b.step(x[rows], y[rows])
    assert not np.allclose(out[order[:8]], a.forward(x[order[:8]]))  # the weights did move
    with pytest.raises(TrainingError, match="shape"):
        a.run_epoch(x, y, outputs=np.zeros((39, 2)))


def test_training_learns_xor_and_is_reproducible_bit_for_bit():
    g, _ = build_mlp((2, 8, 8, 2), activation="tanh", loss="cross_entropy")
    x, y = xor_data(128)
    curves = []
    for _ in range(2):
        plan = ns.compile(g, batch_size=16, seed=1)
        plan.set_optimizer("adam", lr=0.02)
        curves.append([plan.run_epoch(x, y, shuffle_seed=e) for e in range(60)])
    assert curves[0] == curves[1]
    assert curves[0][-1] < 0.25 * curves[0][0]
    accuracy = (plan.forward(x).argmax(axis=1) == y).mean()
    assert accuracy > 0.9


def test_learning_rate_change_between_steps_takes_effect():
    g, ids = chain([2], ("Dense", {"units": 1}), loss="mse")
    plan = ns.compile(g, batch_size=4, dtype="float64")
    x, y = np.ones((4, 2)), np.zeros((4, 1))
    plan.set_optimizer("sgd", lr=0.0)
    w0 = plan.params[ids[1]]["weight"].copy()
    plan.step(x, y)
    np.testing.assert_array_equal(plan.params[ids[1]]["weight"], w0)
    plan.set_lr(0.1)
    plan.step(x, y)
    assert not np.array_equal(plan.params[ids[1]]["weight"], w0)


def test_params_are_live_and_writable_including_hand_wired_neurons():
    g = ns.Graph()
    x = g.add("Input", shape=[2])
    n1 = g.add("Neuron", activation="linear")
    n2 = g.add("Neuron", activation="linear")
    out = g.add("Output", loss="mse")
    g.connect(x, n1), g.connect(x, n2), g.connect(n1, out), g.connect(n2, out)
    plan = ns.compile(g, batch_size=2, dtype="float64")
    assert plan.params[n1]["weight"].shape == (1, 2)
    plan.params[n1]["weight"][...] = [[1.0, 2.0]]
    plan.params[n1]["bias"][...] = 0.5
    plan.params[n2]["weight"][...] = [[0.0, -1.0]]
    plan.params[n2]["bias"][...] = 0.0
    np.testing.assert_allclose(plan.forward(np.array([[1.0, 1.0], [2.0, 0.0]])), [[3.5, -1.0], [2.5, 0.0]])


def test_state_round_trip_restores_parameters_and_optimizer():
    g, _ = build_mlp((2, 4, 1))
    plan = ns.compile(g, batch_size=8, dtype="float64")
    plan.set_optimizer("adam", lr=0.05)
    x, y = np.random.default_rng(0).normal(size=(8, 2)), np.zeros((8, 1))
    plan.step(x, y)
    state = plan.get_state()
    after_one = plan.step(x, y)
    plan.set_state(state)
    assert plan.step(x, y) == after_one


def test_activations_and_layer_stats_show_dead_relus():
    g, ids = chain([3], ("Dense", {"units": 4}), ("Activation", {"function": "relu"}), ("Dense", {"units": 1}))
    plan = ns.compile(g, batch_size=10, dtype="float64")
    plan.params[ids[1]]["bias"][...] = [-100.0, -100.0, 100.0, 100.0]  # two units can never fire
    x = np.random.default_rng(0).normal(size=(10, 3))
    acts = plan.activations(x)
    assert acts[ids[2]].shape == (10, 4)
    assert (acts[ids[2]][:, :2] == 0).all() and (acts[ids[2]][:, 2:] > 0).all()
    plan.set_optimizer("sgd", lr=0.0)
    plan.step(x, np.zeros((10, 1)))
    stats = plan.layer_stats()
    assert stats[ids[2]]["dead_fraction"] == 0.5
    assert stats[ids[1]]["weight_norm"] == pytest.approx(np.linalg.norm(plan.params[ids[1]]["weight"]))
    assert stats[ids[1]]["grad_norm"] > 0


def test_saturated_sigmoid_units_are_counted():
    g, ids = chain([2], ("Dense", {"units": 2}), ("Activation", {"function": "sigmoid"}), ("Dense", {"units": 1}))
    plan = ns.compile(g, batch_size=4, dtype="float64")
    plan.params[ids[1]]["bias"][...] = [50.0, 0.0]
    plan.params[ids[1]]["weight"][...] = 0.0
    plan.set_optimizer("sgd", lr=0.0)
    plan.step(np.ones((4, 2)), np.zeros((4, 1)))
    assert plan.layer_stats()[ids[2]]["saturated_fraction"] == 0.5


def test_invalid_graphs_and_data_are_refused_with_advice():
    g, ids = chain([1, 8, 8], ("Conv2D", {"out_channels": 2}), ("Dense", {"units": 2}))
    with pytest.raises(CompileError, match="Flatten"):
        ns.compile(g, batch_size=4)
    g2, _ = build_mlp((2, 3, 1))
    with pytest.raises(CompileError, match="batch size"):
        ns.compile(g2, batch_size=0)
    plan = ns.compile(g2, batch_size=4)
    with pytest.raises(TrainingError, match="shape 2"):
        plan.forward(np.zeros((3, 5)))
    with pytest.raises(TrainingError, match="optimizer"):
        plan.set_optimizer("lbfgs", lr=0.1)
    with pytest.raises(TrainingError, match="betas"):
        plan.set_optimizer("sgd", lr=0.1, betas=(0.9, 0.99))
    g3, _ = chain([3], ("Embedding", {"num_embeddings": 4, "embedding_dim": 2}), ("Flatten", {}),
                  ("Dense", {"units": 1}))
    with pytest.raises(TrainingError, match="tokens from 0 to 3"):
        ns.compile(g3, batch_size=2).forward(np.array([[0, 1, 7.0]]))


def test_divergence_stops_the_epoch_before_spreading_nan():
    g, ids = chain([2], ("Dense", {"units": 1}), loss="mse")
    plan = ns.compile(g, batch_size=2, dtype="float64")
    plan.set_optimizer("sgd", lr=1e3)
    x = np.full((20, 2), 1e3)
    loss = plan.run_epoch(x, np.zeros((20, 1)))
    assert not np.isfinite(loss) or loss > 1e100


@pytest.mark.parametrize("net", ["mlp", "cnn"])  # BLAS threads; the parallel conv kernels on every core
def test_training_thread_does_not_starve_a_ticking_thread(net):
    if net == "mlp":
        g, _ = build_mlp((784, 256, 128, 10), activation="relu", loss="cross_entropy")
    else:
        g, _ = build_cnn()
    plan = ns.compile(g, batch_size=64)
    plan.set_optimizer("sgd", lr=0.01)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3000, 784)).astype(np.float32).reshape((3000,) + plan.input_shape)
    y = rng.integers(0, 10, size=3000)
    plan.run_epoch(x[:64], y[:64])
    done = threading.Event()

    def train():
        # a second of training however fast the engine is, so the ticker gets enough ticks
        start = time.perf_counter()
        while time.perf_counter() - start < 1.0:
            plan.run_epoch(x, y, shuffle_seed=1)
        done.set()

    t = threading.Thread(target=train)
    delays = []
    t.start()
    last = time.perf_counter()
    while not done.is_set():
        time.sleep(0.005)
        now = time.perf_counter()
        delays.append(now - last - 0.005)
        last = now
    t.join()
    p99 = float(np.percentile(delays, 99)) * 1000
    print(f"ticker p99 delay {p99:.1f} ms over {len(delays)} ticks")
    assert len(delays) > 100
    assert p99 < 30.0


def test_kernels_are_cached_in_the_folder_we_choose(tmp_path):
    env = {**os.environ, "NNSTUDIO_CACHE_DIR": str(tmp_path)}
    code = "from nnstudio.engine import warm_up; warm_up()"
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=600)
    cached = list(Path(tmp_path).rglob("*.nbi"))
    assert any("interpreter" in str(p) for p in cached)
    assert all(str(p).startswith(str(tmp_path)) for p in cached)


def test_wide_evaluation_sees_the_live_weights(rng):
    g, ids = build_mlp((3, 5, 2), activation="relu", loss="cross_entropy")
    plan = ns.compile(g, batch_size=4, dtype="float64")
    x = rng.normal(size=(700, 3))  # more than one evaluation batch
    small = np.concatenate([plan.forward(x[i:i + 4]) for i in range(0, 700, 4)])
    np.testing.assert_allclose(plan.forward(x), small, rtol=1e-12)
    plan.params[ids["dense0"]]["weight"][...] *= 2.0  # edits reach the wide program too
    small = np.concatenate([plan.forward(x[i:i + 4]) for i in range(0, 700, 4)])
    np.testing.assert_allclose(plan.forward(x), small, rtol=1e-12)
    acts = plan.activations(x)
    np.testing.assert_allclose(acts[ids["output"]], small, rtol=1e-12)
    y = rng.integers(0, 2, size=700)
    per_batch = [plan.loss(x[i:i + 4], y[i:i + 4]) for i in range(0, 700, 4)]
    assert plan.loss(x, y) == pytest.approx(np.mean(per_batch), rel=1e-12)


def test_evaluate_gives_the_loss_and_outputs_of_loss_and_forward_in_one_pass_with_live_weights():
    g, ids = build_mlp((2, 8, 3), activation="relu", loss="cross_entropy")
    rng = np.random.default_rng(3)
    x = rng.normal(size=(300, 2)).astype(np.float32)  # more than a batch: the wide evaluation program
    y = rng.integers(0, 3, size=300)
    plan = ns.compile(g, batch_size=16)
    before, _ = plan.evaluate(x, y)
    plan.set_optimizer("sgd", lr=0.5)
    plan.run_epoch(x, y, shuffle_seed=0)  # the wide program must see the weights this changed
    loss, out = plan.evaluate(x, y)
    assert loss != before
    assert loss == pytest.approx(plan.loss(x, y), rel=1e-6)
    np.testing.assert_allclose(out, plan.forward(x), rtol=1e-6, atol=1e-7)
    assert out.shape == (300, 3)
