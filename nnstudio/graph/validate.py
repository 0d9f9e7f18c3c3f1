"""Validation with shape inference.

:func:`analyse` walks the graph once in topological order, infers each node's
output shape from the kind registry's shape rules, counts parameters and
collects every problem as a :class:`Problem` attached to a node, worded as
advice. A node whose inputs are already broken is not blamed again, so the
first real mistake is the one the user sees.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from nnstudio.errors import ShapeError
from nnstudio.graph.model import Edge, Graph
from nnstudio.graph.order import kahn_order
from nnstudio.graph.shapes import Shape, fmt_shape

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a graph. ``node_id`` is None for whole-graph problems."""

    node_id: str | None
    message: str
    severity: Severity = "error"

    def describe(self, graph: Graph) -> str:
        """``Dense 1: Dense expects ...`` - the message prefixed with the node's name."""
        if self.node_id is not None and self.node_id in graph.nodes:
            return f"{graph.nodes[self.node_id].name}: {self.message}"
        return self.message


@dataclass(frozen=True)
class TargetSpec:
    """What the dataset gives, for checking the Input and the Output's loss.

    ``task`` is ``classification`` (``size`` = number of classes) or
    ``regression`` (``size`` = number of target values).
    """

    task: Literal["classification", "regression"]
    size: int
    input_shape: tuple[int, ...] | None = None


@dataclass
class Analysis:
    shapes: dict[str, Shape | None] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    param_counts: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors


class _Wires:
    """Every node's incoming and outgoing wires, in wire order, from one pass over the edges.

    ``Graph.in_edges`` scans all wires on each call; asking it for every node made
    validation quadratic (10,000 nodes: 20 s). This is built once per analysis.
    """

    def __init__(self, graph: Graph) -> None:
        self.ins: dict[str, list[Edge]] = {nid: [] for nid in graph.nodes}
        self.outs: dict[str, list[Edge]] = {nid: [] for nid in graph.nodes}
        for e in graph.edges.values():
            self.ins[e.dst].append(e)
            self.outs[e.src].append(e)


def analyse(graph: Graph, target: TargetSpec | None = None) -> Analysis:
    """Infer shapes, count parameters and collect problems in one pass (linear in nodes + wires)."""
    out = Analysis()
    problems = out.problems
    if not graph.nodes:
        problems.append(Problem(None, "The network is empty - drag an Input, a layer and an Output onto the canvas"))
        return out
    cycle = graph.find_cycle()
    in_cycle: set[str] = set()
    if cycle:
        in_cycle = set(cycle)
        names = " -> ".join(graph.nodes[n].name for n in cycle)
        for nid in dict.fromkeys(cycle):
            problems.append(Problem(nid, f"is part of a loop ({names}); networks here are feed-forward - remove one of these wires"))
    wires_of = _Wires(graph)
    order = _order_ignoring(graph, in_cycle, wires_of)
    for nid in order:
        node = graph.nodes[nid]
        spec = node.spec
        out.shapes[nid] = None
        out.param_counts[nid] = 0
        wires = wires_of.ins[nid]
        if spec.inputs and not wires:
            if spec.inputs[0].required:
                problems.append(Problem(nid, f"{node.kind} has nothing connected to its input - wire a node into it"))
            continue
        in_shapes = [out.shapes.get(e.src) for e in wires]
        if any(s is None for s in in_shapes):
            continue  # the cause upstream already has its own problem
        try:
            shape = spec.infer(node.params, in_shapes)  # type: ignore[arg-type]
        except ShapeError as exc:
            problems.append(Problem(nid, str(exc)))
            continue
        out.shapes[nid] = shape
        out.param_counts[nid] = spec.count_params(node.params, in_shapes)  # type: ignore[arg-type]
    for nid in graph.nodes:  # in or downstream of a cycle
        out.shapes.setdefault(nid, None)
        out.param_counts.setdefault(nid, 0)
    _check_structure(graph, out, wires_of)
    if target is not None:
        _check_target(graph, out, target)
    return out


def _order_ignoring(graph: Graph, skip: set[str], wires: _Wires) -> list[str]:
    """Topological order of the nodes outside any cycle (Kahn's algorithm)."""
    # nodes downstream of a cycle are unreachable by Kahn's walk; they get no shape
    return kahn_order((nid for nid in graph.nodes if nid not in skip),
                      ((e.src, e.dst) for nid in graph.nodes for e in wires.outs[nid]))


def _check_structure(graph: Graph, out: Analysis, wires: _Wires) -> None:
    problems = out.problems
    inputs = graph.nodes_of_kind("Input")
    outputs = graph.nodes_of_kind("Output")
    if not inputs:
        problems.append(Problem(None, "The network has no Input - add one where the data enters"))
    if not outputs:
        problems.append(Problem(None, "The network has no Output - add one and choose its loss"))
    elif len(outputs) > 1:
        for n in outputs[1:]:
            problems.append(Problem(n.id, "only one Output is supported - remove the extra Output nodes"))
    for node in graph.nodes.values():
        if node.kind != "Output" and node.spec.outputs and not wires.outs[node.id]:
            problems.append(Problem(node.id, f"the result of {node.name} is not used - wire it onward or remove it", "warning"))
    reach = _reachable_from(wires, [n.id for n in inputs])
    for n in outputs:
        if wires.ins[n.id] and n.id not in reach:
            problems.append(Problem(n.id, "no Input leads to this Output - wire the layers in between"))
    for e in graph.edges.values():
        dst = graph.nodes[e.dst]
        src = graph.nodes[e.src]
        if dst.kind == "Output" and dst.params["loss"] in ("cross_entropy", "bce") \
                and src.kind == "Activation" and src.params["function"] in ("softmax", "sigmoid"):
            fn = src.params["function"]
            problems.append(Problem(
                src.id,
                f"{dst.params['loss']} already applies {'softmax' if fn == 'softmax' else 'a sigmoid'} to the "
                f"scores - remove this {fn} (or the loss sees squashed values twice and learns slowly)",
                "warning"))


def _reachable_from(wires: _Wires, starts: list[str]) -> set[str]:
    seen: set[str] = set()
    todo = list(starts)
    while todo:
        nid = todo.pop()
        if nid in seen:
            continue
        seen.add(nid)
        todo.extend(e.dst for e in wires.outs[nid])
    return seen


def _check_target(graph: Graph, out: Analysis, target: TargetSpec) -> None:
    problems = out.problems
    if target.input_shape is not None:
        for n in graph.nodes_of_kind("Input"):
            if tuple(n.params["shape"]) != tuple(target.input_shape):
                problems.append(Problem(
                    n.id,
                    f"the dataset gives examples of shape {fmt_shape(target.input_shape)} but this Input "
                    f"expects {fmt_shape(n.params['shape'])} - set its shape to {list(target.input_shape)}"))
    for n in graph.nodes_of_kind("Output"):
        shape = out.shapes.get(n.id)
        if shape is None:
            continue
        k = shape[0]
        loss = n.params["loss"]
        if target.task == "classification":
            if loss in ("mse", "mae"):
                problems.append(Problem(n.id, f"the dataset has {target.size} classes but {loss} is a loss for "
                                              "numbers - choose cross_entropy (or bce for two classes)"))
            elif loss == "cross_entropy" and k != target.size:
                problems.append(Problem(n.id, f"the dataset has {target.size} classes but the network gives {k} "
                                              f"scores - make the last layer {target.size} units wide"))
            elif loss == "bce" and not (k == 1 and target.size == 2):
                problems.append(Problem(n.id, f"bce answers one yes/no question (1 output, 2 classes) but here "
                                              f"there are {k} outputs and {target.size} classes - use cross_entropy "
                                              f"with {target.size} outputs"))
        else:
            if loss in ("cross_entropy", "bce"):
                problems.append(Problem(n.id, f"the dataset's targets are numbers but {loss} is a loss for classes - "
                                              "choose mse or mae"))
            elif k != target.size:
                problems.append(Problem(n.id, f"the dataset has {target.size} target value(s) per example but the "
                                              f"network gives {k} - make the last layer {target.size} wide"))
