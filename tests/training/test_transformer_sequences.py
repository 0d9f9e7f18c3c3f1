"""A tiny transformer learns sequence-to-sequence tasks: the copy example as shipped, and reverse
(which only attention can solve: each output position must read another input position)."""
from __future__ import annotations

from pathlib import Path

import numpy as np

import nnstudio as ns
import nnstudio.resources
from nnstudio.data.sequences import sequence
from nnstudio.training import metrics as M
from nnstudio.training.project import trainer_for_project
from nnstudio.training.settings import TrainingSettings
from nnstudio.training.trainer import Trainer


EXAMPLE = Path(nnstudio.resources.__file__).parent / "examples" / "copy-transformer.nnstudio"


def _train(trainer: Trainer, epochs: int, goal: float) -> dict:
    for _ in range(epochs):
        trainer.run_epoch()
        if trainer.last_metrics.get("val_accuracy", 0.0) >= goal:
            break
    return trainer.last_metrics


def test_the_copy_example_learns_to_copy_tokens():
    project = ns.load_project(EXAMPLE)
    trainer = trainer_for_project(project, threads=1)
    assert trainer.plan.positions == 8
    m = _train(trainer, project.training["epochs"], 0.99)
    assert m["val_accuracy"] >= 0.95
    # the confusion matrix counts tokens: every validation position once
    ds = trainer.dataset
    assert m["confusion"].shape == (8, 8) and m["confusion"].sum() == ds.y_val.size


def test_a_tiny_transformer_learns_to_reverse_and_accuracy_counts_tokens():
    ds = sequence("reverse", n=1200, length=8, vocab=8, seed=0)
    g = ns.load_project(EXAMPLE).graph
    settings = TrainingSettings(optimizer="adam", lr=0.01, batch_size=32, epochs=20, seed=0, threads=1)
    trainer = Trainer(g, ds, settings)
    m = _train(trainer, 20, 0.98)
    assert m["val_accuracy"] >= 0.95
    assert trainer.history.train_accuracy[-1] > trainer.history.train_accuracy[0]
    # validation accuracy is the share of right tokens, computed independently here
    out = trainer.outputs(ds.X_val).reshape(len(ds.X_val), 8, 8)
    want = float(np.mean(out.argmax(axis=2) == ds.y_val))
    assert abs(m["val_accuracy"] - want) < 1e-9
    # attention is what solves it: the last output position attends mostly to the first input token
    att = next(n.id for n in g.nodes.values() if n.kind == "MultiheadAttention")
    plan = trainer.plan
    plan.forward(ds.X_val[:32])
    weights = plan.internals(att)["attention"]  # (32, heads, 8, 8)
    assert weights.mean(axis=(0, 1))[-1].argmax() == 0


def test_token_predictions_from_flat_outputs():
    out = np.zeros((2, 3 * 4))
    out[0, [1, 4 + 3, 8 + 0]] = 1.0
    out[1, [2, 4 + 2, 8 + 2]] = 1.0
    np.testing.assert_array_equal(M.predicted_classes(out, "cross_entropy", positions=3), [1, 3, 0, 2, 2, 2])
