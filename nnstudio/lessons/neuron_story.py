"""The numbers inside one neuron, and the chain-rule story of one of its weights (lessons 1 and 5).

Plain NumPy on the graph and a copy of its parameters (``{node_id: {"weight", "bias"}}``, as the
training snapshots carry them): the views show these numbers, and the tests check them against the
engine's forward pass and gradients.

A Neuron computes ``z = w . x + b`` over everything wired into it and outputs ``y = f(z)``. The
gradient of the mean loss with respect to one of its weights is, for each training sample, the
product of the local derivatives along every path from the weight to the loss (the chain rule),
averaged over the samples of the batch:

    dL/dw = mean_i  l'(y_out) * [ f'(z_k) * w_k ] * ... * f'(z) * x_i
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from nnstudio.engine.reference import ReferenceNet, act_backward, loss
from nnstudio.graph import Graph
from nnstudio.lessons.changes import LessonError

Params = Mapping[str, Mapping[str, np.ndarray]]


@dataclass(frozen=True)
class WeightInput:
    """One input of a neuron: what it is, its value for the sample, and the weight on it."""

    label: str
    x: float
    w: float


@dataclass(frozen=True)
class NeuronNumbers:
    """A neuron's forward pass for one sample."""

    node_id: str
    name: str
    activation: str
    inputs: tuple[WeightInput, ...]
    bias: float
    z: float  # w . x + b
    output: float  # f(z)


@dataclass(frozen=True)
class Factor:
    """One local derivative of a chain-rule product: what it is and its value."""

    label: str
    value: float


@dataclass(frozen=True)
class WeightStory:
    """How one weight's gradient comes about, for one sample and over the batch."""

    node_id: str
    weight: str  # "w[x1 -> Hidden]" or "b[Hidden]"
    index: int  # the weight's column, -1 for the bias
    value: float
    sample: int
    paths: tuple[tuple[Factor, ...], ...]  # the factors of each path from the loss back to the weight
    sample_gradient: float  # this sample's chain-rule sum (of the per-sample loss)
    gradient: float  # d mean loss / d weight over the batch

    def update(self, lr: float) -> float:
        """What one plain SGD step does to the weight."""
        return -lr * self.gradient


def _columns(graph: Graph, shapes: Mapping[str, Any], node_id: str) -> list[tuple[str, int, int]]:
    """(source id, first column, width) of each wire into ``node_id``, in wire order."""
    out, col = [], 0
    for e in graph.in_edges(node_id):
        width = int(np.prod(shapes[e.src])) if shapes.get(e.src) else 1
        out.append((e.src, col, width))
        col += width
    return out


def _input_labels(graph: Graph, shapes: Mapping[str, Any], node_id: str) -> list[str]:
    labels = []
    for src, _col, width in _columns(graph, shapes, node_id):
        node = graph.nodes[src]
        if node.kind == "Input":
            labels += [f"x{k + 1}" for k in range(width)]
        else:
            labels += [node.name] if width == 1 else [f"{node.name} [{k + 1}]" for k in range(width)]
    return labels


def _net(graph: Graph, params: Params, node_id: str) -> ReferenceNet:
    node = graph.nodes.get(node_id)
    if node is None or node.kind != "Neuron":
        raise LessonError("select a Neuron node to see its numbers (a Dense layer can be expanded into "
                          "its neurons: Network > Expand)")
    if node_id not in params:
        raise LessonError(f"{node.name} has no weights yet - press Step or Train")
    return ReferenceNet(graph, {k: dict(v) for k, v in params.items()})


def neuron_numbers(graph: Graph, params: Params, x: np.ndarray, node_id: str) -> NeuronNumbers:
    """The forward pass of Neuron ``node_id`` for the one sample ``x`` (without the batch axis)."""
    net = _net(graph, params, node_id)
    vals = net.forward(np.asarray(x, np.float64)[None])
    ins = np.concatenate([vals[e.src].reshape(1, -1) for e in graph.in_edges(node_id)], axis=1)[0]
    w = net.params[node_id]["weight"][0]
    b = float(net.params[node_id]["bias"][0])
    labels = _input_labels(graph, net.shapes, node_id)
    node = graph.nodes[node_id]
    return NeuronNumbers(node_id, node.name, node.params["activation"],
                         tuple(WeightInput(lab, float(xi), float(wi)) for lab, xi, wi in zip(labels, ins, w)),
                         b, float(net._cache[node_id][0, 0]), float(vals[node_id][0, 0]))


def weight_names(graph: Graph, node_id: str) -> list[str]:
    """The names of a neuron's weights in column order, then its bias."""
    shapes = graph.infer_shapes()
    name = graph.nodes[node_id].name
    return [f"w[{lab} \u2192 {name}]" for lab in _input_labels(graph, shapes, node_id)] + [f"b[{name}]"]


def _paths(graph: Graph, node_id: str, out_id: str) -> list[list[str]]:
    """Every chain of node ids from ``node_id`` to the Output, through Neurons only."""
    if node_id == out_id:
        return [[out_id]]
    found = []
    for e in graph.out_edges(node_id):
        kind = graph.nodes[e.dst].kind
        if kind not in ("Neuron", "Output"):
            raise LessonError(f"the chain-rule story follows wires between Neuron nodes, but "
                              f"{graph.nodes[node_id].name} feeds a {kind} - use a network of Neurons "
                              "(expand a Dense layer: Network > Expand)")
        found += [[node_id] + rest for rest in _paths(graph, e.dst, out_id)]
    return found


def weight_story(graph: Graph, params: Params, X: np.ndarray, y: np.ndarray, node_id: str, index: int,
                 sample: int = 0) -> WeightStory:
    """The chain rule for the weight in column ``index`` of Neuron ``node_id`` (-1: its bias).

    ``X``, ``y`` are the batch (the whole training set for full-batch gradient descent); ``sample``
    is the row whose factors are listed.
    """
    net = _net(graph, params, node_id)
    X = np.asarray(X, np.float64)
    n = len(X)
    vals = net.forward(X)
    out_id = graph.nodes_of_kind("Output")[0].id
    _value, gpred = loss(graph.nodes[out_id].params["loss"], vals[out_id], np.asarray(y, np.float64))
    gpred = gpred.reshape(n, -1) * n  # each sample's own loss derivative (the mean divides by n below)
    shapes = net.shapes

    def slope(nid: str) -> np.ndarray:
        z = net._cache[nid]
        return act_backward(graph.nodes[nid].params["activation"], z, vals[nid], np.ones_like(z))[:, 0]

    node = graph.nodes[node_id]
    xin = np.concatenate([vals[e.src].reshape(n, -1) for e in graph.in_edges(node_id)], axis=1)
    if index < 0:
        local, what = np.ones(n), "dz/db = 1"
    else:
        local, what = xin[:, index], f"dz/dw = {_input_labels(graph, shapes, node_id)[index]}"
    stories, total = [], np.zeros(n)
    for path in _paths(graph, node_id, out_id):
        # from the loss back: l'(y_out), then per neuron after ours its slope and the weight into it
        last = path[-2]
        col = next(c for src, c, _w in _columns(graph, shapes, out_id) if src == last)
        factors = [("dL/d\u0177", gpred[:, col])]
        for here, before in zip(reversed(path[1:-1]), reversed(path[:-2])):
            name = graph.nodes[here].name
            wcol = next(c for src, c, _w in _columns(graph, shapes, here) if src == before)
            factors.append((f"dy/dz of {name} ({graph.nodes[here].params['activation']}')", slope(here)))
            factors.append((f"dz/dy: w[{graph.nodes[before].name} \u2192 {name}]",
                            np.full(n, net.params[here]["weight"][0, wcol])))
        factors.append((f"dy/dz of {node.name} ({node.params['activation']}')", slope(node_id)))
        factors.append((what, local))
        product = np.prod(np.stack([v for _l, v in factors]), axis=0)
        total += product
        stories.append(tuple(Factor(label, float(v[sample])) for label, v in factors))
    t = net.params[node_id]
    value = float(t["bias"][0] if index < 0 else t["weight"][0, index])
    return WeightStory(node_id, weight_names(graph, node_id)[index], index, value, sample, tuple(stories),
                       float(total[sample]), float(total.mean()))


def weight_change(before: Params, after: Params, node_id: str, index: int) -> float:
    """How much one step moved a neuron's weight (column ``index``, -1 the bias)."""
    def pick(p: Params) -> float:
        t = p[node_id]
        return float(np.asarray(t["bias"]).reshape(-1)[0] if index < 0 else np.asarray(t["weight"])[0, index])
    return pick(after) - pick(before)


