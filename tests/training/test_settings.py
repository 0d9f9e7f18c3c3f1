"""Training settings: checked values, schedules, round trips."""
from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nnstudio.errors import TrainingError
from nnstudio.training import TrainingSettings


def test_defaults_round_trip():
    s = TrainingSettings()
    assert TrainingSettings.from_dict(s.to_dict()) == s


@given(lr=st.floats(1e-6, 10), bs=st.integers(1, 512), opt=st.sampled_from(["sgd", "momentum", "nesterov", "adam", "rmsprop"]),
       l2=st.floats(0, 1), sched=st.sampled_from(["constant", "step", "cosine"]))
def test_round_trip_any_valid_settings(lr, bs, opt, l2, sched):
    s = TrainingSettings(lr=lr, batch_size=bs, optimizer=opt, l2=l2, schedule=sched)
    assert TrainingSettings.from_dict(s.to_dict()) == s


@pytest.mark.parametrize("changes,message", [
    ({"lr": 0}, "lr must be in (0, 1e+06]"),
    ({"lr": float("nan")}, "lr must be a number"),
    ({"optimizer": "adamw"}, "optimizer must be one of sgd, momentum, nesterov, adam, rmsprop"),
    ({"batch_size": 0}, "batch_size must be a whole number of at least 1"),
    ({"batch_size": 2.5}, "batch_size must be a whole number"),
    ({"momentum": 1.0}, "momentum must be in [0, 1)"),
    ({"betas": [0.9]}, "betas must be two numbers"),
    ({"learning_rate": 0.1}, "unknown training setting(s) learning_rate"),
])
def test_bad_settings_are_named(changes, message):
    with pytest.raises(TrainingError) as info:
        TrainingSettings.from_dict(changes)
    assert message in str(info.value)


def test_optimizer_options_use_pytorch_names():
    assert TrainingSettings(optimizer="adam", l2=0.1).optimizer_options() == {"weight_decay": 0.1, "betas": (0.9, 0.999)}
    assert TrainingSettings(optimizer="nesterov", momentum=0.8).optimizer_options() == {"weight_decay": 0.0, "momentum": 0.8}
    opts = TrainingSettings(optimizer="rmsprop", l1=0.01, clip_grad_norm=1.0).optimizer_options()
    assert opts == {"weight_decay": 0.0, "alpha": 0.99, "l1": 0.01, "clip_grad_norm": 1.0}


def test_schedules():
    step = TrainingSettings(lr=1.0, schedule="step", step_size=10, gamma=0.5)
    assert [step.lr_at(e) for e in (0, 9, 10, 25)] == [1.0, 1.0, 0.5, 0.25]
    cos = TrainingSettings(lr=1.0, schedule="cosine", epochs=100, lr_min=0.1)
    assert cos.lr_at(0) == 1.0 and math.isclose(cos.lr_at(50), 0.55) and math.isclose(cos.lr_at(100), 0.1)
    assert TrainingSettings(lr=0.3).lr_at(1000) == 0.3
