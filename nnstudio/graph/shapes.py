"""Shape rules of the node kinds.

Each rule takes the node's parameters and the shapes arriving on its input
wires (per sample, batch dimension excluded, NCHW) and returns the output
shape, or raises :class:`~nnstudio.errors.ShapeError` with advice a learner can
act on. Parameter-shape rules give the tensors a node owns, in PyTorch layout.
"""
from __future__ import annotations

from math import prod
from typing import Any, Sequence

from nnstudio.errors import ShapeError

Shape = tuple[int, ...]
Params = dict[str, Any]


def fmt_shape(shape: Sequence[int]) -> str:
    """Shapes as people write them: ``16x5x5``."""
    return "x".join(str(d) for d in shape) if shape else "scalar"


def _single(kind: str, in_shapes: list[Shape]) -> Shape:
    if len(in_shapes) != 1:
        raise ShapeError(f"{kind} takes exactly one input wire; it has {len(in_shapes)}")
    return in_shapes[0]


def _flat_features(kind: str, in_shapes: list[Shape]) -> int:
    """Several flat wires are concatenated along the feature axis, in wire order."""
    total = 0
    for s in in_shapes:
        if len(s) != 1:
            raise ShapeError(
                f"{kind} expects a flat vector but gets {fmt_shape(s)} - insert a Flatten before it"
            )
        total += s[0]
    return total


def _image(kind: str, shape: Shape) -> Shape:
    if len(shape) != 3:
        if len(shape) == 1:
            raise ShapeError(
                f"{kind} expects an image (channels x height x width) but gets a flat vector of "
                f"{shape[0]} - give the Input a shape such as [1, 28, 28], or Reshape first"
            )
        raise ShapeError(f"{kind} expects channels x height x width but gets {fmt_shape(shape)}")
    return shape


def identity(params: Params, in_shapes: list[Shape], kind: str = "") -> Shape:
    return _single(kind, in_shapes)


def input_shape(params: Params, in_shapes: list[Shape], kind: str = "Input") -> Shape:
    return tuple(params["shape"])


def dense(params: Params, in_shapes: list[Shape], kind: str = "Dense") -> Shape:
    if len(in_shapes) == 1 and len(in_shapes[0]) == 2:
        # a sequence (positions x features): the same layer applied at every position, as torch's Linear
        return (in_shapes[0][0], params["units"])
    _flat_features(kind, in_shapes)
    return (params["units"],)


def neuron(params: Params, in_shapes: list[Shape], kind: str = "Neuron") -> Shape:
    _flat_features(kind, in_shapes)
    return (1,)


def output(params: Params, in_shapes: list[Shape], kind: str = "Output") -> Shape:
    if params["loss"] == "cross_entropy" and len(in_shapes) == 1 and len(in_shapes[0]) == 2:
        # one class per position of a sequence (positions x classes), e.g. a token per step
        seq, classes = in_shapes[0]
        if classes < 2:
            raise ShapeError(
                f"cross_entropy needs one score per class (at least 2) at each position but gets {classes} - "
                "widen the last per-position Dense"
            )
        return (seq, classes)
    k = _flat_features(kind, in_shapes)
    if params["loss"] == "cross_entropy" and k < 2:
        raise ShapeError(
            "cross_entropy needs one output per class (at least 2) but gets 1 - "
            "use bce for a single yes/no output, or widen the last layer"
        )
    return (k,)


def softmax_ok(params: Params, in_shapes: list[Shape], kind: str = "Activation") -> Shape:
    return _single(kind, in_shapes)


def batchnorm(params: Params, in_shapes: list[Shape], kind: str = "BatchNorm") -> Shape:
    s = _single(kind, in_shapes)
    if len(s) not in (1, 3):
        raise ShapeError(
            f"BatchNorm works on features or on channels x height x width; gets {fmt_shape(s)}"
        )
    return s


def add(params: Params, in_shapes: list[Shape], kind: str = "Add") -> Shape:
    if len(in_shapes) < 2:
        raise ShapeError("Add sums two or more wires (a skip connection) - connect another input")
    first = in_shapes[0]
    for s in in_shapes[1:]:
        if s != first:
            raise ShapeError(
                f"Add needs equal shapes on every wire but gets {fmt_shape(first)} and {fmt_shape(s)} - "
                "make both branches end in the same size"
            )
    return first


def concat(params: Params, in_shapes: list[Shape], kind: str = "Concat") -> Shape:
    if len(in_shapes) < 2:
        raise ShapeError("Concat joins two or more wires - connect another input")
    first = in_shapes[0]
    for s in in_shapes[1:]:
        if len(s) != len(first) or s[1:] != first[1:]:
            raise ShapeError(
                f"Concat joins along the first axis; the other sizes must match but it gets "
                f"{fmt_shape(first)} and {fmt_shape(s)}"
            )
    return (sum(s[0] for s in in_shapes),) + tuple(first[1:])


def flatten(params: Params, in_shapes: list[Shape], kind: str = "Flatten") -> Shape:
    return (prod(_single(kind, in_shapes)),)


def reshape(params: Params, in_shapes: list[Shape], kind: str = "Reshape") -> Shape:
    s = _single(kind, in_shapes)
    n = prod(s)
    target = list(params["shape"])
    known = prod(d for d in target if d != -1)
    if -1 in target:
        if n % known:
            raise ShapeError(
                f"Reshape cannot fit {n} values ({fmt_shape(s)}) into {fmt_shape(target)}"
            )
        target[target.index(-1)] = n // known
    elif known != n:
        raise ShapeError(
            f"Reshape needs the same number of values: {fmt_shape(s)} has {n}, "
            f"{fmt_shape(target)} has {known}"
        )
    return tuple(target)


def _conv_out(size: int, k: int, stride: int, pad: int) -> int:
    return (size + 2 * pad - k) // stride + 1


def conv2d(params: Params, in_shapes: list[Shape], kind: str = "Conv2D") -> Shape:
    c, h, w = _image(kind, _single(kind, in_shapes))
    k, st, pad = params["kernel_size"], params["stride"], params["padding"]
    if h + 2 * pad < k or w + 2 * pad < k:
        raise ShapeError(
            f"Conv2D's {k}x{k} kernel is larger than its {h}x{w} input - "
            "use a smaller kernel, add padding, or pool less before it"
        )
    return (params["out_channels"], _conv_out(h, k, st, pad), _conv_out(w, k, st, pad))


def pool2d(params: Params, in_shapes: list[Shape], kind: str = "Pool") -> Shape:
    c, h, w = _image(kind, _single(kind, in_shapes))
    k = params["kernel_size"]
    st = params["stride"] or k
    if h < k or w < k:
        raise ShapeError(
            f"{kind}'s {k}x{k} window is larger than its {h}x{w} input - use a smaller window"
        )
    return (c, _conv_out(h, k, st, 0), _conv_out(w, k, st, 0))


def embedding(params: Params, in_shapes: list[Shape], kind: str = "Embedding") -> Shape:
    s = _single(kind, in_shapes)
    if len(s) != 1:
        raise ShapeError(
            f"Embedding expects a flat list of token indices but gets {fmt_shape(s)} - Flatten first"
        )
    return (s[0], params["embedding_dim"])


def _sequence(kind: str, shape: Shape) -> Shape:
    if len(shape) != 2:
        raise ShapeError(
            f"{kind} expects a sequence (positions x vector length) but gets {fmt_shape(shape)} - "
            "put an Embedding before it, or Reshape into [positions, length]"
        )
    return shape


def positional_embedding(params: Params, in_shapes: list[Shape], kind: str = "PositionalEmbedding") -> Shape:
    seq, dim = _sequence(kind, _single(kind, in_shapes))
    if seq > params["max_len"]:
        raise ShapeError(
            f"PositionalEmbedding has vectors for {params['max_len']} positions but the sequence has {seq} - "
            f"raise max_len to at least {seq}"
        )
    if params.get("mode") == "sinusoidal" and dim % 2:
        raise ShapeError(
            f"a sinusoidal PositionalEmbedding pairs sines and cosines, so the vector length must be even; "
            f"it is {dim} - make the Embedding's embedding_dim even, or use mode learned"
        )
    return (seq, dim)


def attention(params: Params, in_shapes: list[Shape], kind: str = "MultiheadAttention") -> Shape:
    seq, dim = _sequence(kind, _single(kind, in_shapes))
    want = params.get("embed_dim")
    if want is not None and want != dim:
        raise ShapeError(
            f"MultiheadAttention's embed_dim is {want} but its input vectors have length {dim} - "
            f"set embed_dim to {dim} (or leave it empty)"
        )
    heads = params["num_heads"]
    if dim % heads:
        raise ShapeError(
            f"MultiheadAttention splits vectors of length {dim} into {heads} heads, which does not divide "
            f"evenly - choose num_heads among {', '.join(str(h) for h in range(1, dim + 1) if dim % h == 0)}"
        )
    return (seq, dim)


# --- parameter tensors (PyTorch layouts) -------------------------------------

def no_params(params: Params, in_shapes: list[Shape]) -> dict[str, Shape]:
    return {}


def dense_params(params: Params, in_shapes: list[Shape]) -> dict[str, Shape]:
    n_in = in_shapes[0][-1] if len(in_shapes) == 1 and len(in_shapes[0]) == 2 else sum(s[0] for s in in_shapes)
    out = {"weight": (params["units"], n_in)}
    if params.get("bias", True):
        out["bias"] = (params["units"],)
    return out


def neuron_params(params: Params, in_shapes: list[Shape]) -> dict[str, Shape]:
    return {"weight": (1, sum(s[0] for s in in_shapes)), "bias": (1,)}


def conv2d_params(params: Params, in_shapes: list[Shape]) -> dict[str, Shape]:
    k = params["kernel_size"]
    out = {"weight": (params["out_channels"], in_shapes[0][0], k, k)}
    if params.get("bias", True):
        out["bias"] = (params["out_channels"],)
    return out


def batchnorm_params(params: Params, in_shapes: list[Shape]) -> dict[str, Shape]:
    c = (in_shapes[0][0],)
    return {"weight": c, "bias": c, "running_mean": c, "running_var": c}


def layernorm_params(params: Params, in_shapes: list[Shape]) -> dict[str, Shape]:
    s = tuple(in_shapes[0])
    if params.get("over") == "last" and s:
        s = s[-1:]
    return {"weight": s, "bias": s}


def positional_embedding_params(params: Params, in_shapes: list[Shape]) -> dict[str, Shape]:
    # a fixed sinusoidal table is stored (like running statistics) but not trained
    name = "table" if params.get("mode") == "sinusoidal" else "weight"
    return {name: (params["max_len"], in_shapes[0][-1])}


def attention_params(params: Params, in_shapes: list[Shape]) -> dict[str, Shape]:
    e = in_shapes[0][-1]
    bias = params.get("bias", True)
    out: dict[str, Shape] = {"in_proj_weight": (3 * e, e)}
    if bias:
        out["in_proj_bias"] = (3 * e,)
    out["out_proj_weight"] = (e, e)
    if bias:
        out["out_proj_bias"] = (e,)
    return out


def embedding_params(params: Params, in_shapes: list[Shape]) -> dict[str, Shape]:
    return {"weight": (params["num_embeddings"], params["embedding_dim"])}


# --- recurrent layers (RNN, LSTM, GRU) ---------------------------------------

#: The tensor names a recurrent node may own (PyTorch's: layer k, ``_reverse`` for the backward direction).
RECURRENT_TENSORS = tuple(
    f"{w}_l{k}{suffix}" for k in range(8) for suffix in ("", "_reverse")
    for w in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
)


def recurrent(params: Params, in_shapes: list[Shape], kind: str = "LSTM") -> Shape:
    """(steps, features) in; (steps, D*hidden) out with return_sequences, else (D*hidden,)."""
    s = _single(kind, in_shapes)
    if len(s) != 2:
        raise ShapeError(
            f"{kind} reads a sequence (steps x features) but gets {fmt_shape(s)} - give the Input a "
            "shape such as [50, 2] (50 steps of 2 numbers), or Reshape into steps x features first"
        )
    width = params["hidden_size"] * (2 if params.get("bidirectional") else 1)
    return (s[0], width) if params.get("return_sequences") else (width,)


def _recurrent_params(gates: int, params: Params, in_shapes: list[Shape]) -> dict[str, Shape]:
    """PyTorch's tensors: per layer k and direction, weight_ih (gates*H, in), weight_hh (gates*H, H), biases."""
    h = params["hidden_size"]
    dirs = 2 if params.get("bidirectional") else 1
    out: dict[str, Shape] = {}
    for k in range(params.get("num_layers", 1)):
        n_in = in_shapes[0][-1] if k == 0 else dirs * h
        for suffix in ("", "_reverse")[:dirs]:
            out[f"weight_ih_l{k}{suffix}"] = (gates * h, n_in)
            out[f"weight_hh_l{k}{suffix}"] = (gates * h, h)
            if params.get("bias", True):
                out[f"bias_ih_l{k}{suffix}"] = (gates * h,)
                out[f"bias_hh_l{k}{suffix}"] = (gates * h,)
    return out


def rnn_params(params: Params, in_shapes: list[Shape]) -> dict[str, Shape]:
    return _recurrent_params(1, params, in_shapes)


def lstm_params(params: Params, in_shapes: list[Shape]) -> dict[str, Shape]:
    """Gate rows in PyTorch's order: input, forget, cell candidate, output."""
    return _recurrent_params(4, params, in_shapes)


def gru_params(params: Params, in_shapes: list[Shape]) -> dict[str, Shape]:
    """Gate rows in PyTorch's order: reset, update, new."""
    return _recurrent_params(3, params, in_shapes)
