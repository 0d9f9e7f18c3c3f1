"""Plain-NumPy forward and backward of every node kind: the oracle the tests trust.

Written for clarity, not speed: each kind is a pair of functions on whole
arrays (batch first), registered by kind name with :func:`forward_of` and
:func:`backward_of`, and :class:`ReferenceNet` runs a graph with them. The
Numba engine must agree with this to rounding; PyTorch agrees with both.
"""
from __future__ import annotations

from dataclasses import dataclass
from math import erf
from typing import Any, Callable

import numpy as np

from nnstudio.graph import Graph

_verf = np.vectorize(erf, otypes=[np.float64])


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.where(x >= 0, 1 / (1 + np.exp(-np.abs(x))), np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x))))


# --- activations: f(x) and f'(x) given x and y -----------------------------------------------------
def act_forward(name: str, x: np.ndarray) -> np.ndarray:
    if name == "linear":
        return x.copy()
    if name == "relu":
        return np.maximum(x, 0)
    if name == "leaky_relu":
        return np.where(x > 0, x, 0.01 * x)
    if name == "elu":
        return np.where(x > 0, x, np.expm1(np.minimum(x, 0)))
    if name == "gelu":
        return 0.5 * x * (1 + _verf(x / np.sqrt(2)))
    if name == "sigmoid":
        return _sigmoid(x)
    if name == "tanh":
        return np.tanh(x)
    if name == "softplus":
        return np.where(x > 20, x, np.log1p(np.exp(np.minimum(x, 20))))
    if name == "swish":
        return x * _sigmoid(x)
    if name == "softmax":
        flat = x.reshape(len(x), -1)
        e = np.exp(flat - flat.max(axis=1, keepdims=True))
        return (e / e.sum(axis=1, keepdims=True)).reshape(x.shape)
    raise ValueError(name)


def act_backward(name: str, x: np.ndarray, y: np.ndarray, gy: np.ndarray) -> np.ndarray:
    if name == "softmax":
        yf, gf = y.reshape(len(y), -1), gy.reshape(len(gy), -1)
        return (yf * (gf - (gf * yf).sum(axis=1, keepdims=True))).reshape(x.shape)
    d = {
        "linear": lambda: np.ones_like(x),
        "relu": lambda: (x > 0).astype(x.dtype),
        "leaky_relu": lambda: np.where(x > 0, 1.0, 0.01),
        "elu": lambda: np.where(x > 0, 1.0, y + 1.0),
        "gelu": lambda: 0.5 * (1 + _verf(x / np.sqrt(2))) + x * np.exp(-0.5 * x * x) / np.sqrt(2 * np.pi),
        "sigmoid": lambda: y * (1 - y),
        "tanh": lambda: 1 - y * y,
        "softplus": lambda: np.where(x > 20, 1.0, _sigmoid(x)),
        "swish": lambda: _sigmoid(x) * (1 + x * (1 - _sigmoid(x))),
    }[name]()
    return gy * d


# --- losses: (mean loss, d loss / d pred) ------------------------------------------------------------
def loss(name: str, pred: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    n = len(pred)
    if name == "cross_entropy":
        t = y.reshape(-1).astype(int)
        z = pred - pred.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        g = np.exp(logp)
        g[np.arange(n), t] -= 1
        return float(-logp[np.arange(n), t].mean()), g / n
    y = y.reshape(pred.shape)
    d = pred - y
    if name == "mse":
        return float(np.mean(d * d)), 2 * d / d.size
    if name == "mae":
        return float(np.mean(np.abs(d))), np.sign(d) / d.size
    if name == "bce":
        value = np.maximum(pred, 0) - pred * y + np.log1p(np.exp(-np.abs(pred)))
        return float(value.mean()), (_sigmoid(pred) - y) / d.size
    raise ValueError(name)


# --- layers -----------------------------------------------------------------------------------------
def dense_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None) -> np.ndarray:
    return x @ w.T + (0 if b is None else b)


def dense_backward(x: np.ndarray, w: np.ndarray, gy: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return gy @ w, gy.T @ x, gy.sum(axis=0)


def conv_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, stride: int, pad: int) -> np.ndarray:
    n, c, h, wd = x.shape
    o, _, k, _ = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    oh, ow = (h + 2 * pad - k) // stride + 1, (wd + 2 * pad - k) // stride + 1
    y = np.zeros((n, o, oh, ow))
    for i in range(oh):
        for j in range(ow):
            patch = xp[:, :, i * stride:i * stride + k, j * stride:j * stride + k]
            y[:, :, i, j] = np.tensordot(patch, w, axes=([1, 2, 3], [1, 2, 3]))
    return y + (0 if b is None else b[None, :, None, None])


def conv_backward(x: np.ndarray, w: np.ndarray, gy: np.ndarray, stride: int, pad: int):
    n, c, h, wd = x.shape
    o, _, k, _ = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    gxp = np.zeros_like(xp, dtype=np.float64)
    gw = np.zeros(w.shape)
    for i in range(gy.shape[2]):
        for j in range(gy.shape[3]):
            sl = (slice(None), slice(None), slice(i * stride, i * stride + k), slice(j * stride, j * stride + k))
            gw += np.tensordot(gy[:, :, i, j], xp[sl], axes=([0], [0]))
            gxp[sl] += np.tensordot(gy[:, :, i, j], w, axes=([1], [0]))
    gx = gxp[:, :, pad:pad + h, pad:pad + wd]
    return gx, gw, gy.sum(axis=(0, 2, 3))


def _windows(x: np.ndarray, k: int, s: int):
    oh, ow = (x.shape[2] - k) // s + 1, (x.shape[3] - k) // s + 1
    for i in range(oh):
        for j in range(ow):
            yield i, j, (slice(None), slice(None), slice(i * s, i * s + k), slice(j * s, j * s + k))


def pool_forward(x: np.ndarray, k: int, s: int, is_max: bool) -> np.ndarray:
    oh, ow = (x.shape[2] - k) // s + 1, (x.shape[3] - k) // s + 1
    y = np.zeros(x.shape[:2] + (oh, ow))
    for i, j, sl in _windows(x, k, s):
        y[:, :, i, j] = x[sl].max(axis=(2, 3)) if is_max else x[sl].mean(axis=(2, 3))
    return y


def pool_backward(x: np.ndarray, gy: np.ndarray, k: int, s: int, is_max: bool) -> np.ndarray:
    gx = np.zeros(x.shape)
    n, c = x.shape[:2]
    for i, j, sl in _windows(x, k, s):
        if is_max:
            win = x[sl].reshape(n, c, -1)
            first = win.argmax(axis=2)  # the first maximum, as PyTorch
            a, bb = np.unravel_index(first, (k, k))
            for ni in range(n):
                for ci in range(c):
                    gx[ni, ci, i * s + a[ni, ci], j * s + bb[ni, ci]] += gy[ni, ci, i, j]
        else:
            gx[sl] += gy[:, :, i, j][:, :, None, None] / (k * k)
    return gx


def batchnorm_forward(x: np.ndarray, w, b, rm, rv, eps: float, momentum: float, train: bool):
    axes = (0,) if x.ndim == 2 else (0, 2, 3)
    shape = (1, -1) if x.ndim == 2 else (1, -1, 1, 1)
    if train:
        mean, var = x.mean(axis=axes), x.var(axis=axes)
        m = x.size // x.shape[1]
        rm[...] = (1 - momentum) * rm + momentum * mean
        rv[...] = (1 - momentum) * rv + momentum * var * m / max(1, m - 1)
    else:
        mean, var = rm, rv
    inv = 1 / np.sqrt(var + eps)
    xhat = (x - mean.reshape(shape)) * inv.reshape(shape)
    return xhat * w.reshape(shape) + b.reshape(shape), (xhat, inv)


def batchnorm_backward(gy: np.ndarray, w: np.ndarray, cache) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    xhat, inv = cache
    axes = (0,) if gy.ndim == 2 else (0, 2, 3)
    shape = (1, -1) if gy.ndim == 2 else (1, -1, 1, 1)
    m = gy.size // gy.shape[1]
    sg, sgx = gy.sum(axis=axes), (gy * xhat).sum(axis=axes)
    gx = (w * inv / m).reshape(shape) * (m * gy - sg.reshape(shape) - xhat * sgx.reshape(shape))
    return gx, sgx, sg


def layernorm_forward(x: np.ndarray, w, b, eps: float):
    flat = x.reshape(len(x), -1)
    mean, var = flat.mean(axis=1, keepdims=True), flat.var(axis=1, keepdims=True)
    inv = 1 / np.sqrt(var + eps)
    xhat = (flat - mean) * inv
    return (xhat * w.reshape(1, -1) + b.reshape(1, -1)).reshape(x.shape), (xhat, inv)


def layernorm_backward(gy: np.ndarray, w: np.ndarray, cache):
    xhat, inv = cache
    g = gy.reshape(len(gy), -1)
    gh = g * w.reshape(1, -1)
    f = g.shape[1]
    gx = inv / f * (f * gh - gh.sum(axis=1, keepdims=True) - xhat * (gh * xhat).sum(axis=1, keepdims=True))
    return gx.reshape(gy.shape), (g * xhat).sum(axis=0).reshape(w.shape), g.sum(axis=0).reshape(w.shape)


def embedding_forward(tokens: np.ndarray, w: np.ndarray) -> np.ndarray:
    return w[tokens.astype(int)]


def embedding_backward(tokens: np.ndarray, gy: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    gw = np.zeros(shape)
    np.add.at(gw, tokens.astype(int).reshape(-1), gy.reshape(-1, shape[1]))
    return gw


# --- one reference per kind -------------------------------------------------------------------------
@dataclass
class Step:
    """What a kind's reference functions see for one node: its node, parameters (``p``), tensors
    (``t``), input values (``ins``, wire order), batch size, mode, output shape, and ``net`` (its
    ``cache`` dict carries values from forward to backward, by node id)."""

    net: "ReferenceNet"
    nid: str
    p: dict[str, Any]
    t: dict[str, np.ndarray]
    ins: list[np.ndarray]
    n: int
    train: bool
    shape: tuple[int, ...]
    masks: dict[str, np.ndarray] | None = None
    rng: np.random.Generator | None = None

    def flat(self) -> np.ndarray:
        """The inputs side by side, one row per sample."""
        return np.concatenate([i.reshape(self.n, -1) for i in self.ins], axis=1)

    @property
    def cache(self) -> Any:
        return self.net._cache.get(self.nid)

    @cache.setter
    def cache(self, value: Any) -> None:
        self.net._cache[self.nid] = value


#: kind -> forward(step) -> output, and kind -> backward(step, out, gy) -> (input gradients, tensor gradients)
FORWARD: dict[str, Callable[[Step], np.ndarray]] = {}
BACKWARD: dict[str, Callable[[Step, np.ndarray, np.ndarray], tuple[list[np.ndarray], dict[str, np.ndarray]]]] = {}


def forward_of(*kinds: str) -> Callable:
    """Register the reference forward pass of these kinds."""
    def deco(fn: Callable) -> Callable:
        for k in kinds:
            FORWARD[k] = fn
        return fn
    return deco


def backward_of(*kinds: str) -> Callable:
    """Register the reference backward pass of these kinds."""
    def deco(fn: Callable) -> Callable:
        for k in kinds:
            BACKWARD[k] = fn
        return fn
    return deco


def _split(s: Step, gx: np.ndarray) -> list[np.ndarray]:
    """A flat input gradient back into one gradient per wire."""
    gins, col = [], 0
    for i in s.ins:
        w = int(np.prod(i.shape[1:]))
        gins.append(gx[:, col:col + w].reshape(i.shape))
        col += w
    return gins


def _with_bias(s: Step, gw: np.ndarray, gb: np.ndarray) -> dict[str, np.ndarray]:
    return {"weight": gw, "bias": gb} if "bias" in s.t else {"weight": gw}


@forward_of("Input")
def _input_fwd(s: Step) -> np.ndarray:
    return np.asarray(s.ins[0], np.float64).reshape((s.n,) + s.shape)  # ins[0] is the data


@forward_of("Dense")
def _dense_fwd(s: Step) -> np.ndarray:
    return dense_forward(s.flat(), s.t["weight"], s.t.get("bias"))


@backward_of("Dense")
def _dense_bwd(s: Step, out: np.ndarray, gy: np.ndarray):
    gx, gw, gb = dense_backward(s.flat(), s.t["weight"], gy)
    return _split(s, gx), _with_bias(s, gw, gb)


@forward_of("Neuron")
def _neuron_fwd(s: Step) -> np.ndarray:
    s.cache = dense_forward(s.flat(), s.t["weight"], s.t["bias"])
    return act_forward(s.p["activation"], s.cache)


@backward_of("Neuron")
def _neuron_bwd(s: Step, out: np.ndarray, gy: np.ndarray):
    gz = act_backward(s.p["activation"], s.cache, out, gy)
    gx, gw, gb = dense_backward(s.flat(), s.t["weight"], gz)
    return _split(s, gx), {"weight": gw, "bias": gb}


@forward_of("Output")
def _output_fwd(s: Step) -> np.ndarray:
    return s.flat()


@backward_of("Output")
def _output_bwd(s: Step, out: np.ndarray, gy: np.ndarray):
    return _split(s, gy), {}


@forward_of("Activation")
def _act_fwd(s: Step) -> np.ndarray:
    return act_forward(s.p["function"], s.ins[0])


@backward_of("Activation")
def _act_bwd(s: Step, out: np.ndarray, gy: np.ndarray):
    return [act_backward(s.p["function"], s.ins[0], out, gy)], {}


@forward_of("Dropout")
def _dropout_fwd(s: Step) -> np.ndarray:
    x, p = s.ins[0], s.p["p"]
    if s.train and p > 0:
        mask = (s.masks or {}).get(s.nid)
        if mask is None:
            mask = ((s.rng or np.random.default_rng(0)).random(x.shape) >= p) / (1 - p)
        s.cache = mask.reshape(x.shape)
        return x * s.cache
    s.cache = np.ones_like(x)
    return x.copy()


@backward_of("Dropout")
def _dropout_bwd(s: Step, out: np.ndarray, gy: np.ndarray):
    return [gy * s.cache], {}


@forward_of("BatchNorm")
def _bn_fwd(s: Step) -> np.ndarray:
    t = s.t
    out, s.cache = batchnorm_forward(s.ins[0], t["weight"], t["bias"], t["running_mean"], t["running_var"],
                                     s.p["eps"], s.p["momentum"], s.train)
    return out


@backward_of("BatchNorm")
def _bn_bwd(s: Step, out: np.ndarray, gy: np.ndarray):
    gx, gw, gb = batchnorm_backward(gy, s.t["weight"], s.cache)
    return [gx], {"weight": gw, "bias": gb}


@forward_of("LayerNorm")
def _ln_fwd(s: Step) -> np.ndarray:
    out, s.cache = layernorm_forward(s.ins[0], s.t["weight"], s.t["bias"], s.p["eps"])
    return out


@backward_of("LayerNorm")
def _ln_bwd(s: Step, out: np.ndarray, gy: np.ndarray):
    gx, gw, gb = layernorm_backward(gy, s.t["weight"], s.cache)
    return [gx], {"weight": gw, "bias": gb}


@forward_of("Add")
def _add_fwd(s: Step) -> np.ndarray:
    return sum(s.ins[1:], s.ins[0].copy())


@backward_of("Add")
def _add_bwd(s: Step, out: np.ndarray, gy: np.ndarray):
    return [gy for _ in s.ins], {}


@forward_of("Concat")
def _concat_fwd(s: Step) -> np.ndarray:
    return np.concatenate(s.ins, axis=1)


@backward_of("Concat")
def _concat_bwd(s: Step, out: np.ndarray, gy: np.ndarray):
    gins, c0 = [], 0
    for i in s.ins:
        gins.append(gy[:, c0:c0 + i.shape[1]])
        c0 += i.shape[1]
    return gins, {}


@forward_of("Flatten", "Reshape")
def _relabel_fwd(s: Step) -> np.ndarray:
    return s.ins[0].reshape((s.n,) + s.shape)


@backward_of("Flatten", "Reshape")
def _relabel_bwd(s: Step, out: np.ndarray, gy: np.ndarray):
    return [gy.reshape(s.ins[0].shape)], {}


@forward_of("Conv2D")
def _conv_fwd(s: Step) -> np.ndarray:
    return conv_forward(s.ins[0], s.t["weight"], s.t.get("bias"), s.p["stride"], s.p["padding"])


@backward_of("Conv2D")
def _conv_bwd(s: Step, out: np.ndarray, gy: np.ndarray):
    gx, gw, gb = conv_backward(s.ins[0], s.t["weight"], gy, s.p["stride"], s.p["padding"])
    return [gx], _with_bias(s, gw, gb)


@forward_of("MaxPool2D", "AvgPool2D")
def _pool_fwd(s: Step) -> np.ndarray:
    k = s.p["kernel_size"]
    return pool_forward(s.ins[0], k, s.p["stride"] or k, s.net.g.nodes[s.nid].kind == "MaxPool2D")


@backward_of("MaxPool2D", "AvgPool2D")
def _pool_bwd(s: Step, out: np.ndarray, gy: np.ndarray):
    k = s.p["kernel_size"]
    return [pool_backward(s.ins[0], gy, k, s.p["stride"] or k, s.net.g.nodes[s.nid].kind == "MaxPool2D")], {}


@forward_of("Embedding")
def _embed_fwd(s: Step) -> np.ndarray:
    return embedding_forward(s.ins[0], s.t["weight"])


@backward_of("Embedding")
def _embed_bwd(s: Step, out: np.ndarray, gy: np.ndarray):
    return [np.zeros_like(s.ins[0])], {"weight": embedding_backward(s.ins[0], gy, s.t["weight"].shape)}


# --- whole graphs --------------------------------------------------------------------------------------
class ReferenceNet:
    """Runs a graph in float64 NumPy with given parameters (``{node_id: {name: array}}``).

    Dropout draws its masks from ``rng`` (or uses ``masks``: node id -> mask) so a
    caller can replay the engine's randomness. Each kind's pass is the function registered
    for it with :func:`forward_of` / :func:`backward_of`.
    """

    def __init__(self, graph: Graph, params: dict[str, dict[str, np.ndarray]]) -> None:
        self.g = graph
        self.params = {nid: {k: np.array(v, dtype=np.float64) for k, v in t.items()} for nid, t in params.items()}
        self.order = graph.topological_order()
        self.shapes = graph.infer_shapes()
        self._cache: dict[str, Any] = {}

    def _step(self, nid: str, ins: list[np.ndarray], n: int, train: bool, masks=None, rng=None) -> Step:
        node = self.g.nodes[nid]
        shape = self.shapes.get(nid)
        return Step(self, nid, node.params, self.params.get(nid, {}), ins, n, train,
                    tuple(shape) if shape is not None else (), masks, rng)

    def forward(self, x: np.ndarray, train: bool = False, masks: dict[str, np.ndarray] | None = None,
                rng: np.random.Generator | None = None) -> dict[str, np.ndarray]:
        """Every node's output (batch first)."""
        vals: dict[str, np.ndarray] = {}
        self._cache = {}
        n = len(x)
        for nid in self.order:
            kind = self.g.nodes[nid].kind
            ins = [x] if kind == "Input" else [vals[e.src] for e in self.g.in_edges(nid)]
            if kind not in FORWARD:  # pragma: no cover - every kind has one (tested)
                raise ValueError(f"no reference forward pass for {kind}")
            vals[nid] = FORWARD[kind](self._step(nid, ins, n, train, masks, rng))
        return vals

    def loss_and_grads(self, x: np.ndarray, y: np.ndarray, train: bool = True,
                       masks: dict[str, np.ndarray] | None = None) -> tuple[float, dict[str, dict[str, np.ndarray]]]:
        """Mean loss and d loss / d every parameter (weights and biases)."""
        vals = self.forward(x, train=train, masks=masks)
        out_id = self.g.nodes_of_kind("Output")[0].id
        value, gpred = loss(self.g.nodes[out_id].params["loss"], vals[out_id], np.asarray(y, np.float64))
        grads_v: dict[str, np.ndarray] = {out_id: gpred}
        grads_p: dict[str, dict[str, np.ndarray]] = {}
        n = len(x)
        for nid in reversed(self.order):
            kind = self.g.nodes[nid].kind
            gy = grads_v.get(nid)
            if gy is None or kind == "Input":
                continue
            edges = self.g.in_edges(nid)
            if kind not in BACKWARD:  # pragma: no cover
                raise ValueError(f"no reference backward pass for {kind}")
            gins, gt = BACKWARD[kind](self._step(nid, [vals[e.src] for e in edges], n, train, masks), vals[nid], gy)
            if gt:
                grads_p[nid] = gt
            for e, g in zip(edges, gins):
                grads_v[e.src] = grads_v[e.src] + g if e.src in grads_v else g
        return value, grads_p


def sgd_step(net: ReferenceNet, x: np.ndarray, y: np.ndarray, lr: float) -> float:
    """One plain SGD step on the reference (the NumPy baseline of the benchmarks)."""
    value, grads = net.loss_and_grads(x, y)
    for nid, t in grads.items():
        for k, g in t.items():
            net.params[nid][k] -= lr * g
    return value


def numerical_gradient(f: Callable[[], float], a: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central differences of ``f`` with respect to every entry of ``a`` (changed in place, restored)."""
    g = np.zeros(a.shape)
    it = np.nditer(a, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = a[i]
        a[i] = old + eps
        up = f()
        a[i] = old - eps
        down = f()
        a[i] = old
        g[i] = (up - down) / (2 * eps)
    return g


__all__ = ["ReferenceNet", "Step", "FORWARD", "BACKWARD", "forward_of", "backward_of", "sgd_step", "numerical_gradient", "loss", "act_forward", "act_backward"]
