"""Small projects the training tests share."""
from __future__ import annotations

import pytest

from nnstudio.io import Project
from tests.conftest import build_mlp


def toy_project(name: str = "xor", n: int = 200, hidden: int = 8, classes: int = 2, epochs: int = 30,
                lr: float = 0.05, noise: float = 0.05, **training) -> Project:
    g, _ = build_mlp(sizes=(2, hidden, hidden, classes), activation="tanh", loss="cross_entropy")
    settings = {"optimizer": "adam", "lr": lr, "batch_size": 16, "epochs": epochs, "threads": 1, **training}
    return Project(graph=g, data={"source": "toy", "name": name, "n": n, "noise": noise, "seed": 3,
                                  "val_ratio": 0.25}, training=settings)


@pytest.fixture
def xor_project() -> Project:
    return toy_project()


@pytest.fixture
def spiral_project() -> Project:
    return toy_project("spiral", n=300, hidden=16, epochs=5)
