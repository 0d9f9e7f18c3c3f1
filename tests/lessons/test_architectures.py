"""Lesson 10: a CNN beats a plain network with more weights on digits; frozen trained
convolutions with a new head learn a new digit task (odd or even) better than the same head on
frozen random filters in the same budget."""
from __future__ import annotations

import numpy as np

from nnstudio.data import digits
from nnstudio.data.dataset import make_dataset
from nnstudio.lessons import apply_change, get_lesson
from nnstudio.graph.edits import SetParam
from nnstudio.lessons.graph_recipes import in_order
from nnstudio.lessons.model import Change
from nnstudio.training import Trainer
from nnstudio.training.settings import TrainingSettings

from tests.lessons.lesson_helpers import example_of, step_labelled, trained, with_step

LESSON = get_lesson("architectures")


def test_the_cnn_beats_a_plain_network_with_more_weights():
    cnn_project = example_of(LESSON)
    mlp_project = with_step(LESSON.id, "Replace the convolutions")
    assert not mlp_project.graph.nodes_of_kind("Conv2D") and mlp_project.graph.validate() == []
    cnn_weights, mlp_weights = cnn_project.graph.total_params(), mlp_project.graph.total_params()
    assert (cnn_weights, mlp_weights) == (1898, 4810)
    cnn, mlp = trained(cnn_project), trained(mlp_project)
    # seeds 0-4 (val_ratio 0.5, 20 epochs): CNN 0.962-0.981, MLP 0.951-0.965, CNN ahead by 0.005-0.016
    assert cnn.history.val_accuracy[-1] > mlp.history.val_accuracy[-1], (cnn.history.val_accuracy,
                                                                        mlp.history.val_accuracy)
    assert cnn.history.val_accuracy[-1] > 0.95


def test_frozen_trained_convolutions_carry_over_to_a_new_task():
    transfer_against_random_filters(seed=0)  # seeds 1-3 pass too (checked while writing this)


def transfer_against_random_filters(seed: int, n_new: int = 400, batch: int = 32, epochs: int = 3,
                                    teacher_epochs: int = 5) -> None:
    """Teacher: the CNN on all ten digits (one half of the set). New task: odd or even, from 200
    examples of the other half, three epochs. The student is the same CNN with its convolutions
    frozen at the teacher's filters and a new two-unit head; the baseline is the same with the
    convolutions frozen at random filters.

    Not claimed: that it beats training the whole CNN from scratch. On this easy task that did not
    hold (from scratch 0.54-0.97 against 0.47-0.88 over seeds and budgets tried), so neither the
    lesson nor this test says it."""
    project = example_of(LESSON)
    everything = digits(val_ratio=0.5, seed=0)
    X = np.concatenate([everything.X_train, everything.X_val])
    y = np.concatenate([everything.y_train, everything.y_val])
    half = len(X) // 2
    old_task = make_dataset(X[:half], y[:half], "classification", [str(i) for i in range(10)],
                            {"source": "digits, first half"}, val_ratio=0.2, seed=0)
    new_task = make_dataset(X[half:half + n_new], y[half:half + n_new] % 2, "classification", ["even", "odd"],
                            {"source": "digits, second half: odd or even"}, val_ratio=0.5, seed=0)
    settings = TrainingSettings(optimizer="adam", lr=0.01, batch_size=32, epochs=teacher_epochs, seed=seed, threads=1)
    teacher = Trainer(project.graph, old_task, settings)
    while not teacher.done:
        teacher.run_epoch()
    assert teacher.history.val_accuracy[-1] > 0.9

    convs = in_order(project.graph, "Conv2D")
    frozen = apply_change(project, step_labelled(LESSON, "Freeze the convolutions").change(project))
    assert all(frozen.graph.nodes[nid].params["frozen"] for nid in convs)
    head = in_order(project.graph, "Dense")[-1]
    two_classes = Change(edit=SetParam(head, "units", 2))
    student = apply_change(frozen, two_classes)
    one_epoch = settings.with_changes(epochs=epochs, batch_size=batch)
    transfer = Trainer(student.graph, new_task, one_epoch, weights={nid: teacher.weights()[nid] for nid in convs})
    scratch = Trainer(student.graph, new_task, one_epoch)  # frozen random filters
    for t in (transfer, scratch):
        while not t.done:
            t.run_epoch()
    for nid in convs:  # frozen: exactly the teacher's filters after training on the new task
        np.testing.assert_array_equal(transfer.plan.params[nid]["weight"], teacher.plan.params[nid]["weight"])
    t_acc, r_acc = transfer.history.val_accuracy[-1], scratch.history.val_accuracy[-1]
    assert t_acc > r_acc + 0.05, (t_acc, r_acc)  # seeds 0-3: ahead by 0.065 to 0.2


TRIVIAL = 1 / 6  # the adding problem's MSE when always predicting the mean sum, 1.0


def test_an_lstm_beats_a_plain_rnn_on_a_long_sequence():
    lstm_project = with_step(LESSON.id, "Switch to a long sequence")
    rnn_project = with_step(LESSON.id, "Use a plain RNN", project=lstm_project)
    assert [n.kind for n in rnn_project.graph.nodes.values()].count("RNN") == 1
    assert not rnn_project.graph.nodes_of_kind("LSTM")
    assert rnn_project.data == lstm_project.data and rnn_project.data["length"] == 50
    lstm, rnn = trained(lstm_project), trained(rnn_project)
    lstm_mse, rnn_mse = lstm.evaluate()["val_loss"], rnn.evaluate()["val_loss"]
    assert lstm_mse < 0.2 * TRIVIAL, lstm_mse
    assert rnn_mse > 0.7 * TRIVIAL, rnn_mse
