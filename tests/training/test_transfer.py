"""Transfer learning: the trained convolutions of digits-cnn, imported into a net with a new head, frozen."""
from __future__ import annotations

from pathlib import Path

import numpy as np

import nnstudio

from nnstudio.io import import_weights, load_project, save_project
from nnstudio.training import trainer_for_project


def test_conv_part_of_a_trained_digits_cnn_imported_into_a_new_head_frozen_trains(tmp_path):
    example = Path(nnstudio.__file__).parent / "resources" / "examples" / "digits-cnn.nnstudio"
    source = load_project(example)
    teacher = trainer_for_project(source, epochs=3, threads=1)
    while not teacher.done:
        teacher.run_epoch()
    source.weights = teacher.weights()
    trained = save_project(source, tmp_path / "digits-cnn-trained.nnstudio")

    student = load_project(example)
    g = student.graph
    by_name = {n.name: n.id for n in g.nodes.values()}
    g.remove(by_name["Dense 1"])  # a new head: two dense layers instead of one
    hidden = g.add("Dense", name="Head hidden", units=24)
    act = g.add("Activation", function="relu")
    head = g.add("Dense", name="Head", units=10)
    for src, dst in [(by_name["Flatten 1"], hidden), (hidden, act), (act, head), (head, by_name["Output 1"])]:
        g.connect(src, dst)
    convs = [by_name["Conv2D 1"], by_name["Conv2D 2"]]
    for nid in convs:
        g.set_param(nid, "frozen", True)

    report = import_weights(g, trained)
    assert set(report.weights) == set(convs)
    assert report.mismatched == []
    assert [line.split(":")[0] for line in report.loaded] == ["Conv2D 1 (Conv2D)", "Conv2D 2 (Conv2D)"]
    assert all("frozen, so training keeps them" in line for line in report.loaded)
    assert "Head (Dense): digits-cnn-trained.nnstudio has no node of that name" in report.missing
    assert any(line.startswith("Dense 1 (") for line in report.unused)  # the old head is left out

    student.weights = report.weights
    learner = trainer_for_project(student, epochs=1, lr=0.01, threads=1)
    assert learner.resume_notes == []
    head_before = learner.plan.params[head]["weight"].copy()
    loss_before = learner.evaluate()["val_loss"]
    while not learner.done:
        learner.run_epoch()
    for nid in convs:  # frozen: exactly the imported filters, after an epoch of training
        for name in ("weight", "bias"):
            np.testing.assert_array_equal(learner.plan.params[nid][name], teacher.plan.params[nid][name])
    assert not np.array_equal(learner.plan.params[head]["weight"], head_before)
    assert learner.last_metrics["val_loss"] < loss_before / 2
    # the borrowed filters are what makes the frozen net learn: with random frozen filters it does worse
    baseline = trainer_for_project(student, use_weights=False, epochs=1, lr=0.01, threads=1)
    while not baseline.done:
        baseline.run_epoch()
    transfer_acc, random_acc = learner.last_metrics["val_accuracy"], baseline.last_metrics["val_accuracy"]
    assert transfer_acc > max(0.7, random_acc + 0.08), (transfer_acc, random_acc)  # here 0.75 against 0.58
