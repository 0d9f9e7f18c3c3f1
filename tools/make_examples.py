"""Writes the example projects in nnstudio/resources/examples/.

Run from the repository root: ``python tools/make_examples.py``. Each example
is built with the scripting API, so this file is also a worked example of it.
The shipped settings are the ones tests/e2e/test_examples.py trains to the
promised accuracy through ``nnstudio train --json``.
"""
from __future__ import annotations

from pathlib import Path

import nnstudio as ns

EXAMPLES = Path(__file__).resolve().parents[1] / "nnstudio" / "resources" / "examples"


# Two layers a row, rows top to bottom, like lines of text: a fitted example then reads at 9 pt or more
# on the canvas of a 1280x800 window (a single row of ten layers was 4-5 px tall).
PER_ROW = 2
COLUMN, ROW = 280.0, 130.0


def chain(*layers: tuple[str, dict]) -> ns.Graph:
    """A chain of nodes laid out left to right, wrapped every PER_ROW nodes."""
    g = ns.Graph()
    prev = None
    for i, (kind, params) in enumerate(layers):
        nid = g.add(kind, pos=((i % PER_ROW) * COLUMN, (i // PER_ROW) * ROW), **params)
        if prev is not None:
            g.connect(prev, nid)
        prev = nid
    return g


def mlp(inputs: list[int], hidden: list[int], act: str, outputs: int, loss: str, flatten: bool = False) -> ns.Graph:
    layers: list[tuple[str, dict]] = [("Input", {"shape": inputs})]
    if flatten:
        layers.append(("Flatten", {}))
    for units in hidden:
        layers += [("Dense", {"units": units, "init": "he" if act == "relu" else "xavier"}),
                   ("Activation", {"function": act})]
    layers += [("Dense", {"units": outputs}), ("Output", {"loss": loss})]
    return chain(*layers)


def toy(name: str, n: int, noise: float, **extra) -> dict:
    return {"source": "toy", "name": name, "n": n, "noise": noise, "seed": 1, "val_ratio": 0.25, **extra}


def copy_transformer(length: int = 8, vocab: int = 8, dim: int = 16) -> ns.Graph:
    """A tiny transformer block: token + position vectors, self-attention with a skip, LayerNorm, a
    per-position classifier. Laid out in rows like the chains; the skip wire runs past the attention."""
    g = ns.Graph()

    def at(i: int) -> tuple[float, float]:
        return ((i % PER_ROW) * COLUMN, (i // PER_ROW) * ROW)

    ids = [
        g.add("Input", pos=at(0), shape=[length]),
        g.add("Embedding", pos=at(1), num_embeddings=vocab, embedding_dim=dim),
        g.add("PositionalEmbedding", pos=at(2), max_len=length),
        g.add("MultiheadAttention", pos=at(3), num_heads=2),
        g.add("Add", pos=at(4)),
        g.add("LayerNorm", pos=at(5), over="last"),
        g.add("Dense", pos=at(6), units=vocab),
        g.add("Output", pos=at(7), loss="cross_entropy"),
    ]
    for a, b in zip(ids, ids[1:]):
        g.connect(a, b)
    g.connect(ids[2], ids[4])  # the skip connection around the attention
    return g


def build() -> dict[str, ns.Project]:
    return {
        "xor": ns.Project(
            graph=mlp([2], [8], "tanh", 2, "cross_entropy"),
            data=toy("xor", 400, 0.1),
            training={"optimizer": "adam", "lr": 0.03, "batch_size": 16, "epochs": 60, "seed": 0},
            meta={"title": "XOR", "description": "One hidden tanh layer bends the boundary around the XOR pattern"},
        ),
        "circle": ns.Project(
            graph=mlp([2], [8, 8], "tanh", 2, "cross_entropy"),
            data=toy("circle", 400, 0.1),
            training={"optimizer": "adam", "lr": 0.03, "batch_size": 16, "epochs": 60, "seed": 0},
            meta={"title": "Circle", "description": "Two small hidden layers learn a round boundary"},
        ),
        "spiral": ns.Project(
            graph=mlp([2], [32, 32], "relu", 2, "cross_entropy"),
            data=toy("spiral", 600, 0.05),
            training={"optimizer": "adam", "lr": 0.01, "batch_size": 16, "epochs": 200, "seed": 0},
            meta={"title": "Spiral", "description": "Two interleaved spirals: depth lets the network wind around them"},
        ),
        "plane": ns.Project(
            graph=mlp([2], [8], "tanh", 1, "mse"),
            data=toy("plane", 400, 0.1),
            training={"optimizer": "adam", "lr": 0.02, "batch_size": 16, "epochs": 60, "seed": 0},
            meta={"title": "Plane (regression)", "description": "Regression: fit a tilted plane from noisy samples"},
        ),
        "digits-mlp": ns.Project(
            graph=mlp([1, 8, 8], [64], "relu", 10, "cross_entropy", flatten=True),
            data={"source": "digits", "val_ratio": 0.2, "seed": 0},
            training={"optimizer": "adam", "lr": 0.003, "batch_size": 32, "epochs": 40, "seed": 0},
            meta={"title": "Digits (MLP)", "description": "8x8 handwritten digits with one hidden layer of 64 units"},
        ),
        "digits-cnn": ns.Project(
            graph=chain(
                ("Input", {"shape": [1, 8, 8]}),
                ("Conv2D", {"out_channels": 16, "kernel_size": 3, "padding": 1}),
                ("Activation", {"function": "relu"}),
                ("MaxPool2D", {"kernel_size": 2}),
                ("Conv2D", {"out_channels": 32, "kernel_size": 3, "padding": 1}),
                ("Activation", {"function": "relu"}),
                ("MaxPool2D", {"kernel_size": 2}),
                ("Flatten", {}),
                ("Dense", {"units": 10}),
                ("Output", {"loss": "cross_entropy"}),
            ),
            data={"source": "digits", "val_ratio": 0.2, "seed": 0},
            training={"optimizer": "adam", "lr": 0.003, "batch_size": 32, "epochs": 40, "seed": 0},
            meta={"title": "Digits (CNN)", "description": "Convolutions learn stroke detectors on 8x8 digits"},
        ),
        "copy-transformer": ns.Project(
            graph=copy_transformer(),
            data={"source": "sequence", "task": "copy", "n": 1200, "length": 8, "vocab": 8, "noise": 0.0,
                  "seed": 0, "val_ratio": 0.2},
            training={"optimizer": "adam", "lr": 0.01, "batch_size": 32, "epochs": 10, "seed": 0},
            meta={"title": "Copy (transformer)", "description": "A tiny transformer block repeats a sequence of "
                  "tokens; switch the task to reverse and watch attention route each position"},
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
