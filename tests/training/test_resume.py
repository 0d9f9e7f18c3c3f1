"""Saved weights + training state: a reopened project trains on exactly as if never saved."""
from __future__ import annotations

import json

import numpy as np
import pytest

import nnstudio as ns

from nnstudio import cli
from nnstudio.io import load_project, save_project
from nnstudio.training import Session, trainer_for_project
from tests.training.conftest import toy_project


def same_params(a, b) -> bool:
    return all(a.plan.params[n][k].tobytes() == b.plan.params[n][k].tobytes()
               for n in a.plan.params for k in a.plan.params[n])


def with_batchnorm_and_dropout(project):
    """The toy net with BatchNorm (running statistics) and Dropout (random masks) in it."""
    g = ns.Graph()
    chain = [g.add("Input", shape=[2]), g.add("Dense", units=8), g.add("BatchNorm"),
             g.add("Activation", function="tanh"), g.add("Dropout", p=0.2), g.add("Dense", units=2),
             g.add("Output", loss="cross_entropy")]
    for a, b in zip(chain, chain[1:]):
        g.connect(a, b)
    project.graph = g
    return project


@pytest.mark.parametrize("net", ["mlp", "batchnorm+dropout"])
@pytest.mark.parametrize("optimizer", ["adam", "momentum"])
def test_train_save_load_train_equals_training_straight_through(tmp_path, optimizer, net):
    # 150 training samples in batches of 16: 10 steps an epoch, so 13 + 12 steps cross two epoch ends
    project = toy_project("xor", n=200, epochs=5, optimizer=optimizer, schedule="step", step_size=1, gamma=0.5)
    if net != "mlp":
        project = with_batchnorm_and_dropout(project)
    straight = trainer_for_project(project)
    for _ in range(25):
        straight.train_batches(1)

    first = trainer_for_project(project)
    for _ in range(13):
        first.train_batches(1)
    project.weights, project.optimizer = first.weights(), first.training_state()
    path = save_project(project, tmp_path / "p.nnstudio")

    reopened = load_project(path)
    resumed = trainer_for_project(reopened)
    assert resumed.resume_notes == []
    # the views get layer statistics of the loaded weights at once
    acts = [layer for layer in resumed.snapshot(0, "idle").layers if layer.kind == "Activation"]
    assert acts and all(np.isfinite(layer.act_mean) for layer in acts)
    assert (resumed.epoch, resumed.step_count) == (1, 13)
    assert resumed.lr == pytest.approx(0.025)  # the schedule continues from the saved epoch
    assert resumed.history.train_loss == first.history.train_loss
    for _ in range(12):
        resumed.train_batches(1)
    assert same_params(resumed, straight)
    assert resumed.step_count == straight.step_count == 25
    assert resumed.history.train_loss == straight.history.train_loss
    assert resumed.history.val_loss == straight.history.val_loss


def test_another_optimizer_keeps_the_weights_and_says_the_optimizer_starts_fresh(tmp_path):
    project = toy_project("xor", n=120, epochs=3)
    first = trainer_for_project(project)
    first.run_epoch()
    project.weights, project.optimizer = first.weights(), first.training_state()
    project.training = {**project.training, "optimizer": "sgd"}
    resumed = trainer_for_project(project)
    assert any("for adam, but this plan uses sgd" in n and "starts fresh" in n for n in resumed.resume_notes)
    assert resumed.epoch == 1
    assert same_params(resumed, first)


def test_weights_that_no_longer_fit_are_dropped_with_a_sentence(tmp_path):
    project = toy_project("xor", n=120, hidden=8, epochs=3)
    first = trainer_for_project(project)
    first.train_batches(2)
    project.weights = first.weights()
    dense = [n for n in project.graph.nodes.values() if n.kind == "Dense"][1]
    project.graph.set_param(dense.id, "units", 5)
    resumed = trainer_for_project(project)
    assert any(f"the saved weight and bias of {dense.name} (Dense) no longer fit the network and were dropped" in n
               for n in resumed.resume_notes), resumed.resume_notes


def test_cli_train_saves_the_optimizer_state_and_resumes_from_it(tmp_path, capsys):
    path = save_project(toy_project("xor", n=120, epochs=2), tmp_path / "p.nnstudio")
    assert cli.run(["train", str(path), "--save-weights", "--json"]) == 0
    first = load_project(path)
    assert first.weights and int(first.optimizer["epoch"]) == 2 and int(first.optimizer["steps"]) == 12
    capsys.readouterr()

    assert cli.run(["train", str(path), "--epochs", "2", "--save-weights", "--json"]) == 0
    out, err = capsys.readouterr()
    assert "resuming from the saved weights and optimizer state at epoch 2, step 12" in err
    epochs = [json.loads(line)["epoch"] for line in out.splitlines() if '"epoch"' in line and '"done"' not in line]
    assert epochs == [3, 4]  # two more epochs, counted on from the saved ones
    second = load_project(path)
    assert int(second.optimizer["epoch"]) == 4 and int(second.optimizer["steps"]) == 24

    assert cli.run(["train", str(path)]) == 0  # the project's own limit (2 epochs) is reached: nothing to do
    _, err = capsys.readouterr()
    assert "already trained for 4 epochs (the project's limit is 2)" in err

    assert cli.run(["train", str(path), "--epochs", "1", "--fresh", "--json"]) == 0
    out, err = capsys.readouterr()
    assert "resuming" not in err and [json.loads(x)["epoch"] for x in out.splitlines()[:1]] == [1]
    np.testing.assert_array_equal(  # --fresh without --save-weights leaves the saved weights alone
        load_project(path).weights[next(iter(second.weights))]["weight"],
        second.weights[next(iter(second.weights))]["weight"])


def test_session_hands_out_weights_with_state_and_loads_weights_between_chunks():
    session = Session(trainer_for_project(toy_project("xor", n=120, epochs=1000)))
    try:
        session.start()
        weights, state = session.saved_state()  # while it runs: a consistent pair from between chunks
        assert float(state["step"]) == int(state["steps"])  # the optimizer's count is the trainer's
        assert set(weights) == {k.split("/")[0] for k in state if k.count("/") == 2}
        session.pause()
        assert session.wait(timeout=30)
        nid = next(iter(weights))
        ones = {nid: {"bias": np.ones_like(weights[nid]["bias"])}}
        assert session.load_weights(ones) == []
        assert session.load_weights({"n999": {"weight": np.zeros(2)}}) == ["n999/weight"]
        np.testing.assert_array_equal(session.weights()[nid]["bias"], ones[nid]["bias"])
    finally:
        session.close()
