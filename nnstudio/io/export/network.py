"""What every exporter needs to know about a graph, checked once.

:func:`prepare` validates the graph and the parameter arrays and returns an
:class:`ExportNetwork`: the nodes in a topological order, each with its input
nodes (in wire order), shapes (batch dimension excluded), parameter arrays
(float32, PyTorch layouts) and a Python identifier derived from its name.
Every problem becomes one :class:`~nnstudio.errors.ExportError` that says
which node is at fault and what to do.
"""
from __future__ import annotations

import builtins
import keyword
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from nnstudio.errors import ExportError
from nnstudio.graph import Graph
from nnstudio.graph.shapes import fmt_shape

Weights = Mapping[str, Mapping[str, np.ndarray]]
DATA_KEYS = ("X_train", "y_train", "X_val", "y_val")  # the dataset arrays an export can carry

# Names a node's identifier must not take in the generated PyTorch code: Python's own, the
# script's imports and locals, and nn.Module's attributes (a submodule called `training` or
# `forward` would break the module).
_RESERVED = set(keyword.kwlist) | set(dir(builtins)) | {
    "x", "self", "torch", "nn", "F", "np", "math", "os", "sys", "argparse", "Path",
    "training", "forward", "train", "eval", "to", "cpu", "cuda", "xpu", "ipu", "mtia", "type", "float",
    "double", "half", "bfloat16", "parameters", "named_parameters", "buffers", "named_buffers", "children",
    "named_children", "modules", "named_modules", "state_dict", "load_state_dict", "apply", "zero_grad",
    "register_buffer", "register_parameter", "register_module", "add_module", "get_submodule",
    "get_parameter", "get_buffer", "extra_repr", "requires_grad_", "share_memory", "to_empty",
    "dump_patches", "call_super_init", "compile", "T_destination", "set_extra_state", "get_extra_state",
}


@dataclass
class ExportNode:
    """One node as the exporters see it."""

    id: str
    kind: str
    name: str
    ident: str  # a Python identifier, unique in the network
    params: dict[str, Any]
    inputs: list[str]  # ids of the nodes wired into it, in wire order
    in_shapes: list[tuple[int, ...]]
    shape: tuple[int, ...]
    tensors: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def frozen(self) -> bool:
        return bool(self.params.get("frozen", False))


@dataclass
class ExportNetwork:
    """A checked network: nodes in topological order plus the facts the exporters share."""

    nodes: list[ExportNode]
    input: ExportNode
    output: ExportNode
    by_id: dict[str, ExportNode]

    @property
    def loss(self) -> str:
        return str(self.output.params["loss"])

    @property
    def n_outputs(self) -> int:
        return int(np.prod(self.output.shape))  # a class per position: positions x classes

    @property
    def has_dead_branches(self) -> bool:
        """Whether some trainable node does not feed the Output (DDP must then look for unused parameters)."""
        feeding = {self.output.id}
        for node in reversed(self.nodes):
            if node.id in feeding:
                feeding.update(node.inputs)
        return any(n.tensors and n.id not in feeding for n in self.nodes)


def identifier(name: str, taken: set[str]) -> str:
    """``"Dense 1"`` -> ``dense_1``: lower case, non-identifier characters as ``_``, unique in ``taken``."""
    base = re.sub(r"\W+", "_", name.strip().lower(), flags=re.ASCII).strip("_") or "node"
    if base[0].isdigit():
        base = "n_" + base
    if base in _RESERVED:
        base = base + "_"
    ident, i = base, 2
    while ident in taken:
        ident = f"{base}_{i}"
        i += 1
    taken.add(ident)
    return ident


def check_exportable(graph: Graph) -> None:
    """Raise ExportError unless the graph is valid, has one Input and one Output and unique names."""
    errors = [p for p in graph.validate() if p.severity == "error"]
    if errors:
        raise ExportError("the network cannot be exported because it is not valid yet - fix these first:\n"
                          + "\n".join(p.describe(graph) for p in errors))
    for kind in ("Input", "Output"):
        found = graph.nodes_of_kind(kind)
        if len(found) != 1:
            raise ExportError(f"an exported network needs exactly one {kind} node; this one has {len(found)}")
    seen: dict[str, str] = {}
    for node in graph.nodes.values():
        if node.name in seen:
            raise ExportError(f"two nodes are named {node.name!r} - rename one of them: exported tensors are "
                              "named after their node")
        seen[node.name] = node.id


def prepare(graph: Graph, params: Weights) -> ExportNetwork:
    """Check ``graph`` and ``params`` ({node_id: {tensor: array}}) for export; raises ExportError."""
    check_exportable(graph)
    shapes = graph.infer_shapes()
    taken: set[str] = set()
    nodes: list[ExportNode] = []
    for nid in graph.topological_order():
        node = graph.nodes[nid]
        in_edges = graph.in_edges(nid)
        in_shapes = [tuple(shapes[e.src]) for e in in_edges]
        en = ExportNode(id=nid, kind=node.kind, name=node.name, ident=identifier(node.name, taken),
                        params=dict(node.params), inputs=[e.src for e in in_edges], in_shapes=in_shapes,
                        shape=tuple(shapes[nid]))
        expected = node.spec.param_shapes(node.params, in_shapes)
        given = params.get(nid, {}) if params else {}
        for tensor, shape in expected.items():
            if tensor not in given:
                raise ExportError(f"{node.name}: its {tensor} is missing from the weights - train the network or "
                                  "reset it so every layer has parameters, then export again")
            value = np.asarray(given[tensor])
            if tuple(value.shape) != tuple(shape):
                raise ExportError(f"{node.name}: the weights hold a {tensor} of shape {fmt_shape(value.shape)} but "
                                  f"the layer needs {fmt_shape(shape)} - the network changed since it was trained; "
                                  "train again (or reset) before exporting")
            if not np.all(np.isfinite(value)):
                raise ExportError(f"{node.name}: its {tensor} holds NaN or infinite values (training diverged) - "
                                  "roll back or reset before exporting")
            en.tensors[tensor] = np.ascontiguousarray(value, dtype=np.float32)
        nodes.append(en)
    by_id = {n.id: n for n in nodes}
    inp = next(n for n in nodes if n.kind == "Input")
    out = next(n for n in nodes if n.kind == "Output")
    return ExportNetwork(nodes=nodes, input=inp, output=out, by_id=by_id)
