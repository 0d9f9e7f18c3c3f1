"""Writes the example projects of the lessons (see nnstudio/lessons/content/) into nnstudio/resources/examples/.

Run from the repository root: ``python tools/make_lesson_examples.py``; then
``QT_QPA_PLATFORM=offscreen python tools/make_thumbnails.py lesson-...`` for their pictures.
The settings are the ones tests/lessons/ train to the lessons' promised figures.
"""
from __future__ import annotations

from pathlib import Path

import nnstudio as ns

EXAMPLES = Path(__file__).resolve().parents[1] / "nnstudio" / "resources" / "examples"
PER_ROW = 2  # as tools/make_examples.py: two layers a row, rows top to bottom
COLUMN, ROW = 280.0, 130.0


def chain(*layers: tuple[str, dict]) -> ns.Graph:
    g = ns.Graph()
    prev = None
    for i, (kind, params) in enumerate(layers):
        params = dict(params)
        name = params.pop("name", None)
        extra = {"name": name} if name else {}
        nid = g.add(kind, pos=((i % PER_ROW) * COLUMN, (i // PER_ROW) * ROW), **extra, **params)
        if prev is not None:
            g.connect(prev, nid)
        prev = nid
    return g


def dense_stack(inputs: int, units: list[int], act: str, init: str, outputs: int) -> list[tuple[str, dict]]:
    layers: list[tuple[str, dict]] = [("Input", {"shape": [inputs]})]
    for u in units:
        layers += [("Dense", {"units": u, "init": init}), ("Activation", {"function": act})]
    return layers + [("Dense", {"units": outputs}), ("Output", {"loss": "cross_entropy"})]


def toy(name: str, n: int, noise: float, val_ratio: float = 0.25, **extra) -> dict:
    return {"source": "toy", "name": name, "n": n, "noise": noise, "seed": 1, "val_ratio": val_ratio, **extra}


def named_chain(*layers: tuple[str, str, dict]) -> ns.Graph:
    """(kind, name, params) nodes wired in a row, two a line."""
    return chain(*((kind, {"name": name, **params}) for kind, name, params in layers))


def digits_cnn(first_channels: int, first_kernel: int) -> list[tuple[str, dict]]:
    return [
        ("Input", {"shape": [1, 8, 8]}),
        ("Conv2D", {"out_channels": first_channels, "kernel_size": first_kernel, "padding": first_kernel // 2}),
        ("Activation", {"function": "relu"}),
        ("MaxPool2D", {"kernel_size": 2}),
        ("Conv2D", {"out_channels": 16, "kernel_size": 3, "padding": 1}),
        ("Activation", {"function": "relu"}),
        ("MaxPool2D", {"kernel_size": 2}),
        ("Flatten", {}),
        ("Dense", {"units": 10}),
        ("Output", {"loss": "cross_entropy"}),
    ]


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
            data=toy("gaussians", 200, 0.1, val_ratio=0.2),
            training={"optimizer": "sgd", "lr": 0.1, "batch_size": 16, "epochs": 30, "seed": 0},
            meta={"title": "Lesson 1: one neuron", "lesson": "neuron",
                  "description": "A weighted sum plus a bias through tanh: watch its numbers while it learns"},
        ),
        "lesson-nonlinearity": ns.Project(
            graph=named_chain(("Input", "Input", {"shape": [2]}),
                        ("Dense", "Layer 1", {"units": 8}),
                        ("Dense", "Layer 2", {"units": 8}),
                        ("Dense", "Layer 3", {"units": 8}),
                        ("Dense", "Answer", {"units": 2}),
                        ("Output", "Output", {"loss": "cross_entropy"})),
            data=toy("xor", 400, 0.1, val_ratio=0.2),
            training={"optimizer": "adam", "lr": 0.03, "batch_size": 16, "epochs": 40, "seed": 0},
            meta={"title": "Lesson 2: non-linearity", "lesson": "non-linearity",
                  "description": "Four stacked layers without an activation are still one straight line"},
        ),
        "lesson-backprop": ns.Project(
            graph=small_neurons(2),
            data=toy("gaussians", 100, 0.1, val_ratio=0.2),
            # one batch is the whole training set: each step is plain gradient descent on the mean loss
            training={"optimizer": "sgd", "lr": 0.5, "batch_size": 80, "epochs": 100, "seed": 0},
            meta={"title": "Lesson 5: backpropagation", "lesson": "backprop",
                  "description": "Single steps of gradient descent: every weight moves by -lr x its gradient"},
        ),
        "lesson-learning-rate": ns.Project(
            graph=named_chain(("Input", "Input", {"shape": [2]}),
                        ("Dense", "Hidden", {"units": 8}),
                        ("Activation", "tanh", {"function": "tanh"}),
                        ("Dense", "Answer", {"units": 1}),
                        ("Output", "Output", {"loss": "mse"})),
            data=toy("plane", 200, 0.1, val_ratio=0.2),
            training={"optimizer": "sgd", "lr": 0.05, "batch_size": 16, "epochs": 30, "seed": 0},
            meta={"title": "Lesson 6: learning rate", "lesson": "learning-rate",
                  "description": "Too high diverges, too low crawls: find the step size that learns"},
        ),
        "lesson-hierarchy": ns.Project(
            graph=chain(*digits_cnn(8, 5)),
            data={"source": "digits", "val_ratio": 0.2, "seed": 0},
            training={"optimizer": "adam", "lr": 0.01, "l2": 0.01, "batch_size": 32, "epochs": 10, "seed": 0},
            meta={"title": "Lesson: features on features",
                  "description": "A digits CNN whose first filters turn from noise into stroke detectors"},
        ),
        "lesson-vanishing-gradients": ns.Project(
            graph=chain(*dense_stack(2, [16] * 9, "sigmoid", "xavier", 2)),
            data=toy("gaussians", 400, 0.1),
            training={"optimizer": "sgd", "lr": 0.1, "batch_size": 16, "epochs": 15, "seed": 0},
            meta={"title": "Lesson: vanishing gradients",
                  "description": "Ten sigmoid layers that cannot learn an easy problem - and three fixes"},
        ),
        "lesson-overfitting": ns.Project(
            graph=chain(*dense_stack(2, [64, 64], "relu", "he", 2)),
            data=toy("moons", 200, 0.25, val_ratio=0.8),
            training={"optimizer": "adam", "lr": 0.01, "batch_size": 8, "epochs": 100, "seed": 0},
            meta={"title": "Lesson: overfitting",
                  "description": "A big network memorises 40 noisy points; regularisation brings it back"},
        ),
        "lesson-far-from-data": ns.Project(
            graph=chain(*dense_stack(2, [32, 32], "relu", "he", 2)),
            data=toy("spiral", 600, 0.05),
            training={"optimizer": "adam", "lr": 0.01, "batch_size": 16, "epochs": 100, "seed": 0},
            meta={"title": "Lesson: correlations, not rules",
                  "description": "Right on the spiral it saw, a coin flip where the spiral goes on"},
        ),
        "lesson-representations": ns.Project(
            graph=chain(
                ("Input", {"shape": [2]}),
                ("Dense", {"units": 32, "init": "he"}), ("Activation", {"function": "relu"}),
                ("Dense", {"units": 32, "init": "he"}), ("Activation", {"function": "relu"}),
                ("Dense", {"units": 2}), ("Activation", {"function": "tanh", "name": "Representation"}),
                ("Dense", {"units": 2}), ("Output", {"loss": "cross_entropy"}),
            ),
            data=toy("spiral", 600, 0.05),
            training={"optimizer": "adam", "lr": 0.01, "batch_size": 16, "epochs": 100, "seed": 0},
            meta={"title": "Lesson: learned representations",
                  "description": "Hidden layers unwind a spiral until the classes lie apart"},
        ),
        "lesson-architectures": ns.Project(
            graph=chain(*digits_cnn(8, 3)),
            data={"source": "digits", "val_ratio": 0.5, "seed": 0},
            training={"optimizer": "adam", "lr": 0.01, "batch_size": 32, "epochs": 20, "seed": 0},
            meta={"title": "Lesson: architectures",
                  "description": "Convolutions beat a bigger plain network on images, and transfer"},
        ),
    }


def main() -> None:
    EXAMPLES.mkdir(parents=True, exist_ok=True)
    for name, project in build().items():
        path = ns.save_project(project, EXAMPLES / f"{name}.nnstudio")
        bak = path.with_name(path.name + ".bak")
        if bak.exists():
            bak.unlink()
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
