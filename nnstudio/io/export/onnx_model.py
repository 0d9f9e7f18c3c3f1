"""ONNX export with the ``onnx`` package's helper API.

The model is built for inference: eval mode (Dropout is the identity,
BatchNorm uses its running statistics), opset :data:`OPSET` with IR version
:data:`IR_VERSION`, weights as initializers named ``"<node name>.<tensor>"``,
one float32 input ``input`` of shape ``(batch, *input shape)`` and one output
``output`` of shape ``(batch, outputs)`` - what ``plan.forward`` returns
(logits for cross_entropy and bce). The batch dimension is dynamic.

Each node kind has one builder in :data:`BUILDERS` (registry data).
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Callable

import numpy as np

from nnstudio.errors import ExportError
from nnstudio.io.atomic import atomic_write_bytes
from nnstudio.io.export.network import ExportNetwork, ExportNode
from nnstudio.io.export.recurrent_export import onnx_recurrent

OPSET = 17
IR_VERSION = 8  # the IR version that goes with opset 17; runtimes from 2022 on read it
INPUT_NAME, OUTPUT_NAME = "input", "output"


class _Builder:
    """Collects nodes and initializers; hands out unique tensor names."""

    def __init__(self, helper: Any, numpy_helper: Any) -> None:
        self.h = helper
        self.nh = numpy_helper
        self.nodes: list[Any] = []
        self.inits: list[Any] = []
        self._names: set[str] = set()

    def name(self, base: str) -> str:
        n, i = base, 2
        while n in self._names:
            n = f"{base}_{i}"
            i += 1
        self._names.add(n)
        return n

    def op(self, op_type: str, inputs: list[str], base: str, exact: bool = False, **attrs: Any) -> str:
        """Add a node; its output is named ``base`` (made unique unless ``exact``)."""
        out = base if exact else self.name(base)
        self.nodes.append(self.h.make_node(op_type, inputs, [out], name=self.name(f"{base}/{op_type}"), **attrs))
        return out

    def init(self, name: str, array: np.ndarray) -> str:
        n = self.name(name)
        self.inits.append(self.nh.from_array(np.asarray(array), n))
        return n

    def const(self, base: str, values: Any, dtype: Any = np.int64) -> str:
        return self.init(base, np.asarray(values, dtype=dtype))


Builder = Callable[[_Builder, ExportNode, list[str]], str]


def _flat(b: _Builder, node: ExportNode, inputs: list[str]) -> str:
    """Flat wires side by side: (N, a) and (N, b) -> (N, a + b)."""
    return inputs[0] if len(inputs) == 1 else b.op("Concat", inputs, f"{node.name}/concat", axis=1)


def _matmul_t(b: _Builder, x: str, name: str, w: np.ndarray, bias: np.ndarray | None, base: str) -> str:
    """x @ w.T (+ bias) on any leading axes (a sequence's positions); w keeps its PyTorch name."""
    wt = b.op("Transpose", [b.init(name + "weight", w)], f"{base}/wT", perm=[1, 0])
    y = b.op("MatMul", [x, wt], f"{base}/matmul" if bias is not None else base)
    return y if bias is None else b.op("Add", [y, b.init(name + "bias", bias)], base)


def _linear(b: _Builder, node: ExportNode, inputs: list[str], base: str) -> str:
    if len(node.shape) == 2:  # a Dense on a sequence: per position
        return _matmul_t(b, inputs[0], f"{node.name}.", node.tensors["weight"], node.tensors.get("bias"), base)
    x = _flat(b, node, inputs)
    w = b.init(f"{node.name}.weight", node.tensors["weight"])
    ins = [x, w] + ([b.init(f"{node.name}.bias", node.tensors["bias"])] if "bias" in node.tensors else [])
    return b.op("Gemm", ins, base, transB=1)


def _activation(b: _Builder, function: str, x: str, shape: tuple[int, ...], base: str) -> str:
    if function == "linear":
        return b.op("Identity", [x], base)
    if function == "relu":
        return b.op("Relu", [x], base)
    if function == "leaky_relu":
        return b.op("LeakyRelu", [x], base, alpha=0.01)
    if function == "elu":
        return b.op("Elu", [x], base, alpha=1.0)
    if function == "sigmoid":
        return b.op("Sigmoid", [x], base)
    if function == "tanh":
        return b.op("Tanh", [x], base)
    if function == "softplus":
        # PyTorch's softplus (threshold 20): x above 20, log(1 + exp(x)) below, stable for large |x|
        small = b.op("Softplus", [b.op("Min", [x, b.const(f"{base}/twenty", 20.0, np.float32)], f"{base}/min")],
                     f"{base}/softplus")
        above = b.op("Greater", [x, b.const(f"{base}/threshold", 20.0, np.float32)], f"{base}/above")
        return b.op("Where", [above, x, small], base)
    if function == "swish":
        return b.op("Mul", [x, b.op("Sigmoid", [x], f"{base}/sigmoid")], base)
    if function == "gelu":  # exact (erf) GELU; the Gelu operator arrives only with opset 20
        scaled = b.op("Div", [x, b.const(f"{base}/sqrt2", math.sqrt(2.0), np.float32)], f"{base}/scaled")
        erf1 = b.op("Add", [b.op("Erf", [scaled], f"{base}/erf"), b.const(f"{base}/one", 1.0, np.float32)],
                    f"{base}/erf1")
        half = b.op("Mul", [x, b.const(f"{base}/half", 0.5, np.float32)], f"{base}/half_x")
        return b.op("Mul", [half, erf1], base)
    if function == "softmax":  # over all of a sample's values, as nnstudio's
        if len(shape) == 1:
            return b.op("Softmax", [x], base, axis=1)
        flat = b.op("Flatten", [x], f"{base}/flat", axis=1)
        soft = b.op("Softmax", [flat], f"{base}/softmax", axis=1)
        return b.op("Reshape", [soft, b.const(f"{base}/shape", [-1, *shape])], base)
    raise ExportError(f"ONNX export does not know the activation {function!r}")


def _input(b: _Builder, node: ExportNode, inputs: list[str]) -> str:
    return INPUT_NAME


def _neuron(b: _Builder, node: ExportNode, inputs: list[str]) -> str:
    z = _linear(b, node, inputs, f"{node.name}/z")
    return _activation(b, node.params["activation"], z, node.shape, node.name)


def _norm_batch(b: _Builder, node: ExportNode, inputs: list[str]) -> str:
    t = node.tensors
    ins = [inputs[0]] + [b.init(f"{node.name}.{k}", t[k]) for k in ("weight", "bias", "running_mean", "running_var")]
    return b.op("BatchNormalization", ins, node.name, epsilon=float(node.params["eps"]))


def _norm_layer(b: _Builder, node: ExportNode, inputs: list[str]) -> str:
    ins = [inputs[0], b.init(f"{node.name}.weight", node.tensors["weight"]),
           b.init(f"{node.name}.bias", node.tensors["bias"])]
    axis = -1 if node.params.get("over") == "last" else 1
    return b.op("LayerNormalization", ins, node.name, axis=axis, epsilon=float(node.params["eps"]))


def _attention(b: _Builder, node: ExportNode, inputs: list[str]) -> str:
    """Self-attention from MatMul, Softmax and reshapes (opset 17 has no attention operator)."""
    L, E = node.shape
    H = int(node.params["num_heads"])
    d = E // H
    t, nm = node.tensors, node.name
    qkv = _matmul_t(b, inputs[0], f"{nm}.in_proj_", t["in_proj_weight"], t.get("in_proj_bias"), f"{nm}/qkv")
    heads = b.const(f"{nm}/heads_shape", [0, 0, H, d])
    parts = []
    for i, what in enumerate("qkv"):
        part = b.op("Slice", [qkv, b.const(f"{nm}/{what}_start", [i * E]), b.const(f"{nm}/{what}_end", [(i + 1) * E]),
                              b.const(f"{nm}/{what}_axis", [2])], f"{nm}/{what}")
        part = b.op("Reshape", [part, heads], f"{nm}/{what}_heads")
        parts.append(b.op("Transpose", [part], f"{nm}/{what}_t", perm=[0, 2, 3, 1] if what == "k" else [0, 2, 1, 3]))
    q, k, v = parts
    scores = b.op("MatMul", [q, k], f"{nm}/scores")
    scores = b.op("Mul", [scores, b.const(f"{nm}/scale", 1.0 / np.sqrt(d), np.float32)], f"{nm}/scaled")
    if node.params["causal"]:
        mask = np.triu(np.full((L, L), -1e30, np.float32), 1)
        scores = b.op("Add", [scores, b.const(f"{nm}/causal_mask", mask, np.float32)], f"{nm}/masked")
    weights = b.op("Softmax", [scores], f"{nm}/weights", axis=-1)
    ctx = b.op("Transpose", [b.op("MatMul", [weights, v], f"{nm}/ctx_heads")], f"{nm}/ctx_t", perm=[0, 2, 1, 3])
    ctx = b.op("Reshape", [ctx, b.const(f"{nm}/ctx_shape", [0, 0, E])], f"{nm}/ctx")
    return _matmul_t(b, ctx, f"{nm}.out_proj_", t["out_proj_weight"], t.get("out_proj_bias"), nm)


def _positional(b: _Builder, node: ExportNode, inputs: list[str]) -> str:
    name = "weight" if "weight" in node.tensors else "table"
    table = b.init(f"{node.name}.{name}", node.tensors[name])
    rows = b.op("Slice", [table, b.const(f"{node.name}/start", [0]), b.const(f"{node.name}/end", [node.shape[0]]),
                          b.const(f"{node.name}/axis", [0])], f"{node.name}/rows")
    return b.op("Add", [inputs[0], rows], node.name)


def _add(b: _Builder, node: ExportNode, inputs: list[str]) -> str:
    out = inputs[0]
    for i, other in enumerate(inputs[1:]):
        out = b.op("Add", [out, other], node.name if i == len(inputs) - 2 else f"{node.name}/sum{i}")
    return out


def _reshape(b: _Builder, node: ExportNode, inputs: list[str]) -> str:
    return b.op("Reshape", [inputs[0], b.const(f"{node.name}/shape", [-1, *node.shape])], node.name)


def _conv(b: _Builder, node: ExportNode, inputs: list[str]) -> str:
    p = node.params
    k, s, pad = int(p["kernel_size"]), int(p["stride"]), int(p["padding"])
    ins = [inputs[0], b.init(f"{node.name}.weight", node.tensors["weight"])]
    if "bias" in node.tensors:
        ins.append(b.init(f"{node.name}.bias", node.tensors["bias"]))
    return b.op("Conv", ins, node.name, kernel_shape=[k, k], strides=[s, s], pads=[pad] * 4)


def _pool(op_type: str) -> Builder:
    def build(b: _Builder, node: ExportNode, inputs: list[str]) -> str:
        k = int(node.params["kernel_size"])
        s = int(node.params["stride"] or k)
        return b.op(op_type, [inputs[0]], node.name, kernel_shape=[k, k], strides=[s, s])
    return build


def _embedding(b: _Builder, node: ExportNode, inputs: list[str]) -> str:
    from onnx import TensorProto

    # tokens arrive as floats; Cast truncates toward zero like the engine's int()
    tokens = b.op("Cast", [inputs[0]], f"{node.name}/tokens", to=TensorProto.INT64)
    return b.op("Gather", [b.init(f"{node.name}.weight", node.tensors["weight"]), tokens], node.name, axis=0)


def _output(b: _Builder, node: ExportNode, inputs: list[str]) -> str:
    if len(node.shape) == 2:  # one class per position: flat (N, positions x classes), as nnstudio's outputs
        return b.op("Flatten", [inputs[0]], OUTPUT_NAME, exact=True, axis=1)
    return b.op("Identity", [_flat(b, node, inputs)], OUTPUT_NAME, exact=True)


BUILDERS: dict[str, Builder] = {
    "Input": _input,
    "Neuron": _neuron,
    "Dense": lambda b, n, i: _linear(b, n, i, n.name),
    "Activation": lambda b, n, i: _activation(b, n.params["function"], i[0], n.shape, n.name),
    "Dropout": lambda b, n, i: b.op("Identity", [i[0]], n.name),  # evaluation mode: no dropout
    "BatchNorm": _norm_batch,
    "LayerNorm": _norm_layer,
    "Add": _add,
    "Concat": lambda b, n, i: b.op("Concat", i, n.name, axis=1),
    "Flatten": lambda b, n, i: b.op("Flatten", [i[0]], n.name, axis=1),
    "Reshape": _reshape,
    "Conv2D": _conv,
    "MaxPool2D": _pool("MaxPool"),
    "AvgPool2D": _pool("AveragePool"),
    "Embedding": _embedding,
    "MultiheadAttention": _attention,
    "PositionalEmbedding": _positional,
    "Output": _output,
}
BUILDERS.update({kind: onnx_recurrent for kind in ("RNN", "LSTM", "GRU")})


def build_model(net: ExportNetwork, title: str = "nnstudio model", version: str = "") -> Any:
    """The checked ``onnx.ModelProto`` of a network."""
    try:
        import onnx
        from onnx import TensorProto, helper, numpy_helper
    except ImportError:  # pragma: no cover - onnx is a runtime dependency
        raise ExportError("ONNX export needs the onnx package: pip install onnx") from None
    b = _Builder(helper, numpy_helper)
    b._names.update({INPUT_NAME, OUTPUT_NAME})
    values: dict[str, str] = {}
    # only what feeds the Output is part of an inference model
    feeding = {net.output.id}
    for node in reversed(net.nodes):
        if node.id in feeding:
            feeding.update(node.inputs)
    for node in net.nodes:
        if node.id in feeding:
            values[node.id] = BUILDERS[node.kind](b, node, [values[s] for s in node.inputs])
    inp = helper.make_tensor_value_info(INPUT_NAME, TensorProto.FLOAT, ["batch", *net.input.shape])
    out = helper.make_tensor_value_info(OUTPUT_NAME, TensorProto.FLOAT, ["batch", net.n_outputs])
    graph = helper.make_graph(b.nodes, title, [inp], [out], initializer=b.inits)
    model = helper.make_model(graph, producer_name="nnstudio", producer_version=version,
                              opset_imports=[helper.make_operatorsetid("", OPSET)])
    model.ir_version = IR_VERSION
    helper.set_model_props(model, {"loss": net.loss, "output": "logits" if net.loss in ("cross_entropy", "bce")
                                   else "values"})
    try:
        onnx.checker.check_model(model, full_check=True)
    except onnx.checker.ValidationError as exc:  # a bug here, not the user's: say so plainly
        raise ExportError(f"the ONNX model did not pass onnx.checker ({exc}); please report this") from None
    return model


def write_onnx(net: ExportNetwork, path: Path, title: str = "nnstudio model", version: str = "") -> list[Path]:
    """Write the ``.onnx`` file atomically; returns ``[path]``."""
    model = build_model(net, title, version)
    atomic_write_bytes(path, model.SerializeToString())
    return [path]
