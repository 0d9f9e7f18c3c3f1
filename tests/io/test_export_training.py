"""The exported PyTorch script trains as nnstudio does: same batches, same steps, same epoch loss."""
from __future__ import annotations

import numpy as np
import pytest

import nnstudio as ns
from nnstudio.io import Project
from nnstudio.io.export import export_project
from nnstudio.training import TrainingSettings, trainer_for_project
from tests.io.export_graphs import inputs_for, random_graph, targets_for
from tests.io.export_helpers import load_script

torch = pytest.importorskip("torch")

CONFIGS = [
    {"optimizer": "sgd", "lr": 0.1},
    {"optimizer": "momentum", "lr": 0.05, "momentum": 0.8, "l2": 0.01},
    {"optimizer": "nesterov", "lr": 0.05, "clip_grad_norm": 0.5},
    {"optimizer": "adam", "lr": 0.01, "betas": [0.8, 0.99], "l1": 0.001, "l2": 0.01, "clip_grad_norm": 1.0},
    {"optimizer": "rmsprop", "lr": 0.01, "alpha": 0.9, "l1": 0.002},
]


@pytest.mark.parametrize("seed", range(12))
def test_first_steps_match_plan_step(seed, tmp_path):
    config = CONFIGS[seed % len(CONFIGS)]
    g, family = random_graph(seed, dropout=False)
    n, bs = 40, 16
    X, y = inputs_for(g, family, n, seed), targets_for(g, n, seed)
    data = {"X_train": X, "y_train": y, "X_val": X[:5], "y_val": y[:5]}
    training = {**config, "batch_size": bs, "seed": seed + 3, "epochs": 2}
    settings = TrainingSettings.from_dict(training)
    plan = ns.compile(g, bs, seed=settings.seed)
    plan.set_optimizer(settings.optimizer, lr=settings.lr_at(0), **settings.optimizer_options())
    names = {nd.name: nd.id for nd in g.nodes.values()}
    files = export_project("pytorch", tmp_path / "net.py", g, plan.params, training=training, data=data)
    assert [f.name for f in files] == ["net.py", "net_weights.npz", "net_data.npz"]
    script = load_script(files[0])
    model = script.Net()
    script.load_weights(model)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = script.make_optimizer(params)
    X_t, y_t, _, _ = script.load_data()
    loader, sampler = script.make_loader(X_t, y_t)
    sampler.set_epoch(0)
    order = np.random.default_rng([settings.seed, 0]).permutation(n)  # the Trainer's epoch order
    for step, (xb, yb) in zip(range(2), loader):
        rows = order[step * bs:(step + 1) * bs]
        np.testing.assert_array_equal(xb.numpy(), X[rows])  # the same batch as nnstudio
        ours = plan.step(X[rows], y[rows])
        theirs = float(script.train_step(model, optimizer, params, xb, yb))
        np.testing.assert_allclose(theirs, ours, rtol=1e-5, atol=1e-6)
    for attr, node_name in script.Net.NODE_NAMES.items():
        layer = getattr(model, attr)
        for tensor, value in list(layer.named_parameters()) + list(layer.named_buffers()):
            if tensor == "num_batches_tracked":
                continue
            np.testing.assert_allclose(value.detach().numpy(), plan.params[names[node_name]][tensor],
                                       rtol=1e-4, atol=2e-5, err_msg=f"{node_name}.{tensor} ({config})")


def test_one_epoch_of_main_matches_the_trainer(tmp_path, capsys):
    """The whole loop: nnstudio's trainer and the script's main() report the same epoch losses."""
    from tests.conftest import build_mlp

    g, ids = build_mlp((2, 8, 8, 2), activation="tanh", loss="cross_entropy")
    training = {"optimizer": "adam", "lr": 0.02, "batch_size": 24, "epochs": 2, "seed": 5, "l1": 0.0005,
                "clip_grad_norm": 2.0, "schedule": "step", "step_size": 1, "gamma": 0.5}
    project = Project(graph=g, data={"source": "toy", "name": "moons", "n": 150, "noise": 0.1, "seed": 1,
                                     "val_ratio": 0.2}, training=training)
    trainer = trainer_for_project(project)
    params0 = trainer.weights()
    ds = trainer.dataset
    data = {"X_train": ds.X_train, "y_train": ds.y_train, "X_val": ds.X_val, "y_val": ds.y_val}
    script_path = export_project("pytorch", tmp_path / "moons.py", g, params0, training=training, data=data)[0]
    while not trainer.done:
        trainer.run_epoch()
    script = load_script(script_path)
    script.main([])
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("epoch ")]
    assert len(lines) == 2
    for line, train_loss, val_loss in zip(lines, trainer.history.train_loss, trainer.history.val_loss):
        fields = line.split()
        assert float(fields[3]) == pytest.approx(train_loss, rel=1e-4)
        assert float(fields[5]) == pytest.approx(val_loss, rel=1e-4)
    assert "lr 0.01" in lines[1]  # the step schedule halved it


def test_early_stopping_stops_where_the_trainer_stops(tmp_path, capsys):
    from tests.conftest import build_mlp

    g, ids = build_mlp((2, 4, 1), loss="mse")
    # a rate so small that the validation loss never gets better: patience 1 stops after epoch 2
    training = {"optimizer": "sgd", "lr": 1e-30, "batch_size": 32, "epochs": 6, "patience": 1, "seed": 1}
    project = Project(graph=g, data={"source": "toy", "name": "plane", "n": 60, "seed": 0, "val_ratio": 0.3},
                      training=training)
    trainer = trainer_for_project(project)
    ds = trainer.dataset
    data = {"X_train": ds.X_train, "y_train": ds.y_train, "X_val": ds.X_val, "y_val": ds.y_val}
    script = load_script(export_project("pytorch", tmp_path / "plane.py", g, trainer.weights(), training=training,
                                        data=data)[0])
    while not trainer.done:
        trainer.run_epoch()
    script.main([])
    out = capsys.readouterr().out
    assert trainer.stopped_early and trainer.epoch == 2
    assert out.count("\nepoch ") + out.startswith("epoch ") == 2
    assert "stopped early: no better validation loss for 1 epochs" in out
