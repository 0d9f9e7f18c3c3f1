"""A seeded generator of random valid graphs over the whole kind registry (for the exporter tests).

Three families, so that every kind can appear where it is valid: flat vectors
(Dense, Neuron, norms, merges...), images (Conv2D, pooling, channel Concat,
Flatten...) and tokens (Embedding, then Reshape into an image or Flatten).
Some graphs have a Dense layer expanded into Neuron nodes + a Concat, as the
canvas's Ctrl+E makes them. Layers with weights are frozen at random.
"""
from __future__ import annotations

import numpy as np

import nnstudio as ns
from nnstudio.graph import kinds
from nnstudio.graph.transforms import expand_dense

FUNCTIONS = kinds.ACTIVATIONS


class _G:
    def __init__(self, rng: np.random.Generator, frozen_share: float) -> None:
        self.g = ns.Graph()
        self.rng = rng
        self.frozen_share = frozen_share

    def add(self, kind: str, srcs: list[str], **params) -> str:
        spec = kinds.get(kind)
        if "frozen" in spec.param_names:
            params.setdefault("frozen", bool(self.rng.random() < self.frozen_share))
        if "init" in spec.param_names:
            params.setdefault("init", str(self.rng.choice(["he", "xavier", "normal"])))
        nid = self.g.add(kind, **params)
        for s in srcs:
            self.g.connect(s, nid)
        return nid

    def shape(self, nid: str) -> tuple[int, ...]:
        return tuple(self.g.infer_shapes()[nid])

    def pick(self, items):
        return items[int(self.rng.integers(len(items)))]


def _flat_step(b: _G, frontier: list[str]) -> str:
    src = b.pick(frontier)
    (d,) = b.shape(src)
    r = b.rng
    choice = b.pick(["dense", "dense_nobias", "act", "dropout", "bn", "ln", "add", "concat", "neurons", "reshape"])
    if choice == "dense":
        return b.add("Dense", [src], units=int(r.integers(2, 6)))
    if choice == "dense_nobias":
        return b.add("Dense", [src], units=int(r.integers(2, 6)), bias=False)
    if choice == "act":
        return b.add("Activation", [src], function=str(b.pick(FUNCTIONS)))
    if choice == "dropout":
        return b.add("Dropout", [src], p=float(r.choice([0.0, 0.25, 0.5])))
    if choice == "bn":
        return b.add("BatchNorm", [src], eps=float(r.choice([1e-5, 1e-3])), momentum=float(r.choice([0.1, 0.3])))
    if choice == "ln":
        return b.add("LayerNorm", [src])
    if choice == "add":
        other = b.add("Dense", [src], units=d)
        return b.add("Add", [src, other])
    if choice == "concat":
        flat = [f for f in frontier if len(b.shape(f)) == 1 and f != src]
        other = b.pick(flat) if flat else b.add("Dense", [src], units=2)
        return b.add("Concat", [src, other])
    if choice == "neurons":  # hand-wired neurons, one reading two wires, joined by a Dense
        a = b.add("Neuron", [src], activation=str(b.pick(FUNCTIONS)))
        extra = [f for f in frontier if len(b.shape(f)) == 1 and f != src][:1]
        c = b.add("Neuron", [src] + extra, activation=str(b.pick(FUNCTIONS)))
        return b.add("Dense", [a, c], units=3)
    return b.add("Reshape", [src], shape=[-1])


def _image_step(b: _G, frontier: list[str]) -> str:
    src = b.pick([f for f in frontier if len(b.shape(f)) == 3])
    c, h, w = b.shape(src)
    r = b.rng
    choice = b.pick(["conv", "conv_pad", "max", "avg", "bn", "ln", "act", "dropout", "add", "concat"])
    if choice in ("conv", "conv_pad"):
        k = int(min(r.integers(1, 4), h, w))
        return b.add("Conv2D", [src], out_channels=int(r.integers(1, 4)), kernel_size=k,
                     stride=int(r.integers(1, 3)) if h > 3 else 1, padding=int(r.integers(0, 2)) if choice == "conv_pad"
                     else 0, bias=bool(r.random() < 0.8))
    if choice in ("max", "avg") and min(h, w) >= 2:
        stride = None if r.random() < 0.5 else 1
        return b.add("MaxPool2D" if choice == "max" else "AvgPool2D", [src], kernel_size=2, stride=stride)
    if choice == "bn":
        return b.add("BatchNorm", [src])
    if choice == "ln":
        return b.add("LayerNorm", [src])
    if choice == "dropout":
        return b.add("Dropout", [src], p=0.3)
    if choice == "add":
        conv = b.add("Conv2D", [src], out_channels=c, kernel_size=3 if min(h, w) >= 3 else 1,
                     padding=1 if min(h, w) >= 3 else 0)
        return b.add("Add", [src, conv])
    if choice == "concat":
        conv = b.add("Conv2D", [src], out_channels=2, kernel_size=1)
        return b.add("Concat", [conv, src])
    return b.add("Activation", [src], function=str(b.pick(FUNCTIONS)))


def _sequence_steps(b: _G, src: str, length: int, seed: int) -> str:
    """Often PositionalEmbedding, MultiheadAttention (+ skip), per-position LayerNorm and Dense on
    (length, dim), keeping the shape. They draw from their own generator: the rest of the graph
    stays the one this seed always gave."""
    main, b.rng = b.rng, np.random.default_rng([seed, 15])
    try:
        return _sequence_block(b, src, length) if b.rng.random() < 0.6 else src
    finally:
        b.rng = main


def _sequence_block(b: _G, src: str, length: int) -> str:
    r = b.rng
    dim = b.shape(src)[1]
    x = b.add("PositionalEmbedding", [src], max_len=length + int(r.integers(0, 3)),
              mode="sinusoidal" if dim % 2 == 0 and r.random() < 0.4 else "learned")
    heads = b.pick([h for h in range(1, dim + 1) if dim % h == 0])
    att = b.add("MultiheadAttention", [x], num_heads=heads, causal=bool(r.random() < 0.5), bias=bool(r.random() < 0.8))
    x = b.add("Add", [x, att]) if r.random() < 0.5 else att
    if r.random() < 0.5:
        x = b.add("LayerNorm", [x], over="last")
    if r.random() < 0.5:
        x = b.add("Dense", [x], units=dim)
    return x


def random_graph(seed: int, frozen_share: float = 0.2, dropout: bool = True) -> tuple[ns.Graph, str]:
    """A valid graph and its family (``flat``, ``image`` or ``tokens``), reproducible from ``seed``."""
    rng = np.random.default_rng(seed)
    b = _G(rng, frozen_share)
    family = ("flat", "image", "tokens")[seed % 3]
    b.family = family
    if family == "flat":
        x = b.add("Input", [], shape=[int(rng.integers(2, 6))])
        frontier = [x]
        for _ in range(int(rng.integers(3, 8))):
            frontier.append(_flat_step(b, frontier))
    else:
        if family == "image":
            x = b.add("Input", [], shape=[int(rng.integers(1, 3)), int(rng.integers(4, 7)), int(rng.integers(4, 7))])
            frontier = [x]
        else:
            length = int(rng.integers(2, 5))
            x = b.add("Input", [], shape=[length])
            emb = b.add("Embedding", [x], num_embeddings=int(rng.integers(3, 9)), embedding_dim=int(rng.integers(2, 5)))
            emb = _sequence_steps(b, emb, length, seed)
            if seed % 2:  # tokens as a sequence: (steps, embedding) into a recurrent layer
                frontier = [_recurrent_step(b, emb)]
                # every function still appears somewhere (these graphs draw fewer random steps)
                frontier.append(b.add("Activation", frontier, function=FUNCTIONS[seed % len(FUNCTIONS)]))
                for _ in range(int(rng.integers(0, 3))):
                    frontier.append(_flat_step(b, frontier))
                return _finish(b, frontier, dropout)
            frontier = [b.add("Reshape", [emb], shape=[1, length, -1])]
            if rng.random() < 0.5:
                frontier = [b.add("Activation", [frontier[0]], function=str(b.pick(FUNCTIONS)))]
        for _ in range(int(rng.integers(2, 6))):
            frontier.append(_image_step(b, frontier))
        last = frontier[-1]
        flat = b.add("Flatten", [last]) if rng.random() < 0.5 else b.add("Reshape", [last], shape=[-1])
        frontier = [flat]
        for _ in range(int(rng.integers(0, 3))):
            frontier.append(_flat_step(b, frontier))
    return _finish(b, frontier, dropout)


def _recurrent_step(b: _G, src: str) -> str:
    """RNN, LSTM or GRU with random layers/directions/bias, then Flatten if it returns every step."""
    r = b.rng
    kind = b.pick(["RNN", "LSTM", "GRU"])
    params = {"hidden_size": int(r.integers(1, 4)), "num_layers": int(r.integers(1, 3)),
              "bidirectional": bool(r.random() < 0.5), "return_sequences": bool(r.random() < 0.5),
              "bias": bool(r.random() < 0.8)}
    if kind == "RNN":
        params["nonlinearity"] = b.pick(["tanh", "relu"])
    nid = b.add(kind, [src], **params)
    return b.add("Flatten", [nid]) if params["return_sequences"] else nid


def _finish(b: _G, frontier: list[str], dropout: bool) -> tuple[ns.Graph, str]:
    rng = b.rng
    loss = str(rng.choice(kinds.LOSSES))
    k = int(rng.integers(2, 4))
    head = b.add("Dense", [frontier[-1]], units=k, frozen=False)
    if rng.random() < 0.3:  # a second wire into the Output (it joins them side by side)
        side = b.add("Dense", [frontier[-1]], units=1, frozen=False)
        out = b.add("Output", [head, side], loss=loss)
    else:
        out = b.add("Output", [head], loss=loss)
    if not dropout:
        for n in list(b.g.nodes.values()):
            if n.kind == "Dropout":
                b.g.set_param(n.id, "p", 0.0)
    # expand a small Dense into its neurons (Neuron nodes + a Concat), as Ctrl+E does
    small = [n.id for n in b.g.nodes.values() if n.kind == "Dense" and n.params["units"] <= 5 and n.id != head
             and len(b.shape(n.id)) == 1]  # a per-position Dense has no neurons to expand
    if small and rng.random() < 0.5:
        b.g.apply(expand_dense(b.g, b.pick(small)))
    problems = [p.describe(b.g) for p in b.g.validate() if p.severity == "error"]
    assert not problems, problems
    assert b.g.nodes[out].kind == "Output"
    return b.g, b.family


def inputs_for(graph: ns.Graph, family: str, n: int, seed: int = 0) -> np.ndarray:
    """A batch of inputs the graph accepts (whole-number tokens for an Embedding)."""
    rng = np.random.default_rng(seed)
    inp = graph.nodes_of_kind("Input")[0]
    shape = tuple(inp.params["shape"])
    if family == "tokens":
        num = graph.nodes_of_kind("Embedding")[0].params["num_embeddings"]
        return rng.integers(0, num, size=(n,) + shape).astype(np.float32)
    return rng.normal(0, 1.5, size=(n,) + shape).astype(np.float32)


def targets_for(graph: ns.Graph, n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed + 1)
    out = graph.nodes_of_kind("Output")[0]
    k = graph.infer_shapes()[out.id][0]
    loss = out.params["loss"]
    if loss == "cross_entropy":
        return rng.integers(0, k, size=n)
    if loss == "bce":
        return rng.integers(0, 2, size=(n, k)).astype(np.float32)
    return rng.normal(size=(n, k)).astype(np.float32)
