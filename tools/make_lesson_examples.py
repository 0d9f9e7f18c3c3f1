"""Writes the example projects of lessons 3, 4, 7, 8, 9 and 10 into nnstudio/resources/examples/.

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


def toy(name: str, n: int, noise: float, val_ratio: float = 0.25) -> dict:
    return {"source": "toy", "name": name, "n": n, "noise": noise, "seed": 1, "val_ratio": val_ratio}


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


def build() -> dict[str, ns.Project]:
    return {
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
