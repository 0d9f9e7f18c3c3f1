"""Writes the example projects of lessons 1, 2, 5 and 6 into nnstudio/resources/examples/.

Run from the repository root: ``python tools/make_lesson_examples.py``. Each lesson opens one of
these (see ``nnstudio/lessons/content/``); the headless tests in ``tests/lessons/`` train them and
check the lesson's claim, so change a setting here only together with its test.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import nnstudio as ns  # noqa: E402

EXAMPLES = ROOT / "nnstudio" / "resources" / "examples"
COLUMN, ROW = 280.0, 130.0


def toy(name: str, n: int, noise: float, **extra) -> dict:
    return {"source": "toy", "name": name, "n": n, "noise": noise, "seed": 1, "val_ratio": 0.2, **extra}


def chain(*layers: tuple[str, str, dict]) -> ns.Graph:
    """(kind, name, params) nodes wired in a row, two a line like the other examples."""
    g = ns.Graph()
    prev = None
    for i, (kind, name, params) in enumerate(layers):
        nid = g.add(kind, name=name, pos=((i % 2) * COLUMN, (i // 2) * ROW), **params)
        if prev is not None:
            g.connect(prev, nid)
        prev = nid
    return g


def small_neurons(hidden: int) -> ns.Graph:
    """Input -> ``hidden`` tanh Neurons -> one linear Neuron "Answer" -> Output (bce), wired by hand.

    Compact (the Output under the neurons) so the canvas beside the lesson panel shows it whole.
    """
    g = ns.Graph()
    top = 0.0 if hidden == 1 else -40.0
    inp = g.add("Input", name="Input", shape=[2], pos=(0.0, 0.0))
    answer = g.add("Neuron", name="Answer", activation="linear", pos=(360.0, 20.0))
    for j in range(hidden):
        h = g.add("Neuron", name=f"Hidden {j + 1}" if hidden > 1 else "Hidden", activation="tanh",
                  pos=(240.0, top + 20.0 + 80.0 * j))
        g.connect(inp, h)
        g.connect(h, answer)
    out = g.add("Output", name="Output", loss="bce", pos=(240.0, 160.0))
    g.connect(answer, out)
    return g


def build() -> dict[str, ns.Project]:
    return {
        "lesson-neuron": ns.Project(
            graph=small_neurons(1),
            data=toy("gaussians", 200, 0.1),
            training={"optimizer": "sgd", "lr": 0.1, "batch_size": 16, "epochs": 30, "seed": 0},
            meta={"title": "Lesson 1: one neuron", "lesson": "neuron",
                  "description": "A weighted sum plus a bias through tanh: watch its numbers while it learns"},
        ),
        "lesson-nonlinearity": ns.Project(
            graph=chain(("Input", "Input", {"shape": [2]}),
                        ("Dense", "Layer 1", {"units": 8}),
                        ("Dense", "Layer 2", {"units": 8}),
                        ("Dense", "Layer 3", {"units": 8}),
                        ("Dense", "Answer", {"units": 2}),
                        ("Output", "Output", {"loss": "cross_entropy"})),
            data=toy("xor", 400, 0.1),
            training={"optimizer": "adam", "lr": 0.03, "batch_size": 16, "epochs": 40, "seed": 0},
            meta={"title": "Lesson 2: non-linearity", "lesson": "non-linearity",
                  "description": "Four stacked layers without an activation are still one straight line"},
        ),
        "lesson-backprop": ns.Project(
            graph=small_neurons(2),
            data=toy("gaussians", 100, 0.1),
            # one batch is the whole training set: each step is plain gradient descent on the mean loss
            training={"optimizer": "sgd", "lr": 0.5, "batch_size": 80, "epochs": 100, "seed": 0},
            meta={"title": "Lesson 5: backpropagation", "lesson": "backprop",
                  "description": "Single steps of gradient descent: every weight moves by -lr x its gradient"},
        ),
        "lesson-learning-rate": ns.Project(
            graph=chain(("Input", "Input", {"shape": [2]}),
                        ("Dense", "Hidden", {"units": 8}),
                        ("Activation", "tanh", {"function": "tanh"}),
                        ("Dense", "Answer", {"units": 1}),
                        ("Output", "Output", {"loss": "mse"})),
            data=toy("plane", 200, 0.1),
            training={"optimizer": "sgd", "lr": 0.05, "batch_size": 16, "epochs": 30, "seed": 0},
            meta={"title": "Lesson 6: learning rate", "lesson": "learning-rate",
                  "description": "Too high diverges, too low crawls: find the step size that learns"},
        ),
    }


def main() -> None:
    for name, project in build().items():
        path = ns.save_project(project, EXAMPLES / f"{name}.nnstudio")
        bak = path.with_name(path.name + ".bak")
        if bak.exists():
            bak.unlink()
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
