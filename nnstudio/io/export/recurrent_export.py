"""Export of the recurrent kinds (RNN, LSTM, GRU): PyTorch modules and ONNX operators.

PyTorch: a subclass of ``nn.RNN/LSTM/GRU`` with ``batch_first=True`` (its tensors keep their
names, ``weight_ih_l0`` ...) whose forward returns every step, or the last step as nnstudio
does: forward's state after the last step, backward's after reading back to step 0.

ONNX: one ``RNN``/``LSTM``/``GRU`` operator per layer on time-major data. ONNX orders the
gates differently (LSTM i, o, f, c; GRU z, r, h) and keeps both biases in one tensor, so the
tensors are reordered here; GRU uses ``linear_before_reset=1``, PyTorch's formula.
"""
from __future__ import annotations

from typing import Any

import numpy as np

KINDS = ("RNN", "LSTM", "GRU")
GATES = {"RNN": 1, "LSTM": 4, "GRU": 3}
# ONNX gate blocks, as indices of PyTorch's blocks
ONNX_ORDER = {"RNN": [0], "LSTM": [0, 3, 1, 2], "GRU": [1, 0, 2]}


# --- PyTorch -------------------------------------------------------------------------------------

def torch_module(node: Any) -> str:
    p = node.params
    extra = f", nonlinearity={p['nonlinearity']!r}" if node.kind == "RNN" else ""
    return (f"Sequence{node.kind}({node.in_shapes[0][-1]}, {p['hidden_size']}, num_layers={p['num_layers']}, "
            f"bias={bool(p['bias'])}, bidirectional={bool(p['bidirectional'])}{extra}, "
            f"return_sequences={bool(p['return_sequences'])})")


def torch_helper(kind: str) -> str:
    return f'''
class Sequence{kind}(nn.{kind}):
    """nn.{kind} with batch_first=True that returns every step, or the last one: the forward
    direction's state after the last step and the backward direction's after step 0."""

    def __init__(self, *args, return_sequences=False, **kwargs):
        super().__init__(*args, batch_first=True, **kwargs)
        self.return_sequences = return_sequences

    def forward(self, x):
        y = super().forward(x)[0]
        if self.return_sequences:
            return y
        h = self.hidden_size
        return torch.cat([y[:, -1, :h], y[:, 0, h:]], dim=1) if self.bidirectional else y[:, -1]
'''


# --- ONNX ----------------------------------------------------------------------------------------

def _onnx_tensor(b: Any, node: Any, tensor: str, base: str) -> str:
    """A tensor as its initializer ``"<node name>.<tensor>"``, rows reordered into ONNX's gate
    order (a Gather on a constant, which runtimes fold) and with a leading direction axis."""
    H = node.params["hidden_size"]
    a = b.init(f"{node.name}.{tensor}", np.asarray(node.tensors[tensor], np.float32))
    order = ONNX_ORDER[node.kind]
    if order != list(range(len(order))):
        rows = np.concatenate([np.arange(g * H, (g + 1) * H) for g in order])
        a = b.op("Gather", [a, b.const(f"{base}/rows", rows)], f"{base}/onnx_order", axis=0)
    return b.op("Unsqueeze", [a, b.const(f"{base}/axis", [0])], base)


def _stack(b: Any, parts: list[str], base: str, axis: int) -> str:
    return parts[0] if len(parts) == 1 else b.op("Concat", parts, base, axis=axis)


def onnx_recurrent(b: Any, node: Any, inputs: list[str]) -> str:
    """Build one node's layers with the ONNX exporter's builder ``b``; returns the output name."""
    p, kind = node.params, node.kind
    H, L = p["hidden_size"], p["num_layers"]
    D = 2 if p["bidirectional"] else 1
    name = node.name
    x = b.op("Transpose", [inputs[0]], f"{name}/time_major", perm=[1, 0, 2])  # (T, N, F)
    attrs: dict[str, Any] = {"hidden_size": H, "direction": "bidirectional" if D == 2 else "forward"}
    if kind == "GRU":
        attrs["linear_before_reset"] = 1
    if kind == "RNN":
        attrs["activations"] = ["Relu" if p["nonlinearity"] == "relu" else "Tanh"] * D
    y_h = ""
    for layer in range(L):
        sfx = [f"l{layer}", f"l{layer}_reverse"][:D]
        pre = f"{name}/l{layer}"
        W = _stack(b, [_onnx_tensor(b, node, f"weight_ih_{s}", f"{pre}/W{s}") for s in sfx], f"{pre}/W", 0)
        R = _stack(b, [_onnx_tensor(b, node, f"weight_hh_{s}", f"{pre}/R{s}") for s in sfx], f"{pre}/R", 0)
        ins = [x, W, R]
        if p["bias"]:
            both = [_stack(b, [_onnx_tensor(b, node, f"bias_ih_{s}", f"{pre}/Wb{s}"),
                               _onnx_tensor(b, node, f"bias_hh_{s}", f"{pre}/Rb{s}")], f"{pre}/B{s}", 1)
                    for s in sfx]
            ins.append(_stack(b, both, f"{pre}/B", 0))
        y = b.name(f"{name}/l{layer}/Y")
        y_h = b.name(f"{name}/l{layer}/Y_h")
        b.nodes.append(b.h.make_node(kind, ins, [y, y_h], name=b.name(f"{name}/l{layer}/{kind}"), **attrs))
        # Y is (T, D, N, H): the next layer (and return_sequences) wants (T, N, D*H)
        yt = b.op("Transpose", [y], f"{name}/l{layer}/steps", perm=[0, 2, 1, 3])
        x = b.op("Reshape", [yt, b.const(f"{name}/l{layer}/shape", [0, 0, -1])], f"{name}/l{layer}/out")
    if p["return_sequences"]:
        return b.op("Transpose", [x], name, perm=[1, 0, 2])
    # Y_h (D, N, H) holds each direction's final state: forward's after the last step, backward's after step 0
    last = b.op("Transpose", [y_h], f"{name}/last", perm=[1, 0, 2])
    return b.op("Reshape", [last, b.const(f"{name}/last_shape", [0, -1])], name)
