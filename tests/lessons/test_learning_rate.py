"""Lesson 6: too high a learning rate diverges (and is explained), too low crawls, a good one converges."""
from __future__ import annotations

from tests.lessons.lesson_helpers import make_step, open_lesson, train


def test_three_diverges_with_an_explanation():
    lesson, project = open_lesson("learning-rate")
    high = make_step(lesson, project, "Raise the learning rate to 3")
    assert high.training["lr"] == 3.0 and high.training["optimizer"] == "sgd"
    trainer, _before, _after = train(high)
    report = trainer.divergence
    assert report is not None and report.epoch == 0  # within the first pass over the data
    text = report.message  # what the banner shows
    assert "learning rate 3 is probably too high" in text
    assert "Roll back" in text and "learning rate 1.5" in text


def test_a_ten_thousandth_crawls_and_five_hundredths_converge():
    lesson, project = open_lesson("learning-rate")
    trainer, before, after = train(make_step(lesson, project, "Lower it to 0.0001"))
    assert trainer.divergence is None
    assert after["val_loss"] > 0.8 * before["val_loss"]  # less than a fifth of the loss gone after all epochs
    trainer, before, after = train(make_step(lesson, project, "Set it to 0.05"))
    assert trainer.divergence is None
    assert after["val_loss"] < 0.05 * before["val_loss"]
