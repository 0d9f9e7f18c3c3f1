"""Plain-NumPy forward and backward of every node kind: the oracle the tests trust.

Written for clarity, not speed: each kind is a pair of functions on whole
arrays (batch first), and :class:`ReferenceNet` runs a graph with them. The
Numba engine must agree with this to rounding; PyTorch agrees with both.
"""
from __future__ import annotations

from math import erf
from typing import Any, Callable

import numpy as np

from nnstudio.engine import reference_attention as RA
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


# --- whole graphs --------------------------------------------------------------------------------------
class ReferenceNet:
    """Runs a graph in float64 NumPy with given parameters (``{node_id: {name: array}}``).

    Dropout draws its masks from ``rng`` (or uses ``masks``: node id -> mask) so a
    caller can replay the engine's randomness.
    """

    def __init__(self, graph: Graph, params: dict[str, dict[str, np.ndarray]]) -> None:
        self.g = graph
        self.params = {nid: {k: np.array(v, dtype=np.float64) for k, v in t.items()} for nid, t in params.items()}
        self.order = graph.topological_order()
        self.shapes = graph.infer_shapes()

    def _inputs(self, values: dict[str, np.ndarray], nid: str) -> list[np.ndarray]:
        return [values[e.src] for e in self.g.in_edges(nid)]

    def forward(self, x: np.ndarray, train: bool = False, masks: dict[str, np.ndarray] | None = None,
                rng: np.random.Generator | None = None) -> dict[str, np.ndarray]:
        """Every node's output (batch first)."""
        vals: dict[str, np.ndarray] = {}
        self._cache: dict[str, Any] = {}
        n = len(x)
        for nid in self.order:
            node = self.g.nodes[nid]
            p, t = node.params, self.params.get(nid, {})
            ins = self._inputs(vals, nid)
            flat = lambda: np.concatenate([i.reshape(n, -1) for i in ins], axis=1)  # noqa: E731
            k = node.kind
            if k == "Input":
                out = np.asarray(x, np.float64).reshape((n,) + tuple(self.shapes[nid]))
            elif k == "Dense" and ins[0].ndim == 3:  # a sequence: the same layer at every position
                out = dense_forward(ins[0], t["weight"], t.get("bias"))
            elif k == "Dense":
                out = dense_forward(flat(), t["weight"], t.get("bias"))
            elif k == "Neuron":
                z = dense_forward(flat(), t["weight"], t["bias"])
                self._cache[nid] = z
                out = act_forward(p["activation"], z)
            elif k == "Activation":
                out = act_forward(p["function"], ins[0])
            elif k == "Dropout":
                if train and p["p"] > 0:
                    mask = (masks or {}).get(nid)
                    if mask is None:
                        mask = ((rng or np.random.default_rng(0)).random(ins[0].shape) >= p["p"]) / (1 - p["p"])
                    self._cache[nid] = mask.reshape(ins[0].shape)
                    out = ins[0] * self._cache[nid]
                else:
                    self._cache[nid] = np.ones_like(ins[0])
                    out = ins[0].copy()
            elif k == "BatchNorm":
                out, self._cache[nid] = batchnorm_forward(ins[0], t["weight"], t["bias"], t["running_mean"],
                                                          t["running_var"], p["eps"], p["momentum"], train)
            elif k == "LayerNorm" and p.get("over") == "last" and ins[0].ndim == 3:
                x3 = ins[0]
                o2, self._cache[nid] = layernorm_forward(x3.reshape(-1, x3.shape[2]), t["weight"], t["bias"],
                                                         p["eps"])
                out = o2.reshape(x3.shape)
            elif k == "LayerNorm":
                out, self._cache[nid] = layernorm_forward(ins[0], t["weight"], t["bias"], p["eps"])
            elif k == "MultiheadAttention":
                out, self._cache[nid] = RA.attention_forward(ins[0], t, p["num_heads"], p["causal"])
            elif k == "PositionalEmbedding":
                out = RA.positional_forward(ins[0], t["weight"] if "weight" in t else t["table"])
            elif k == "Add":
                out = sum(ins[1:], ins[0].copy())
            elif k == "Concat":
                out = np.concatenate(ins, axis=1)
            elif k in ("Flatten", "Reshape"):
                out = ins[0].reshape((n,) + tuple(self.shapes[nid]))
            elif k == "Conv2D":
                out = conv_forward(ins[0], t["weight"], t.get("bias"), p["stride"], p["padding"])
            elif k in ("MaxPool2D", "AvgPool2D"):
                out = pool_forward(ins[0], p["kernel_size"], p["stride"] or p["kernel_size"], k == "MaxPool2D")
            elif k == "Embedding":
                out = embedding_forward(ins[0], t["weight"])
            elif k == "Output" and len(ins) == 1 and ins[0].ndim == 3:
                out = ins[0].copy()
            elif k == "Output":
                out = flat()
            else:  # pragma: no cover
                raise ValueError(k)
            vals[nid] = out
        return vals

    def loss_and_grads(self, x: np.ndarray, y: np.ndarray, train: bool = True,
                       masks: dict[str, np.ndarray] | None = None) -> tuple[float, dict[str, dict[str, np.ndarray]]]:
        """Mean loss and d loss / d every parameter (weights and biases)."""
        vals = self.forward(x, train=train, masks=masks)
        out_id = self.g.nodes_of_kind("Output")[0].id
        if vals[out_id].ndim == 3:
            value, gpred = RA.sequence_cross_entropy(vals[out_id], np.asarray(y))
        else:
            value, gpred = loss(self.g.nodes[out_id].params["loss"], vals[out_id], np.asarray(y, np.float64))
        grads_v: dict[str, np.ndarray] = {out_id: gpred}
        grads_p: dict[str, dict[str, np.ndarray]] = {}
        n = len(x)
        for nid in reversed(self.order):
            node = self.g.nodes[nid]
            gy = grads_v.get(nid)
            if gy is None or node.kind == "Input":
                continue
            p, t = node.params, self.params.get(nid, {})
            edges = self.g.in_edges(nid)
            ins = [vals[e.src] for e in edges]
            k = node.kind
            gins: list[np.ndarray]
            if k in ("Dense", "Output") and ins[0].ndim == 3:
                if k == "Dense":
                    gx, gw, gb = dense_backward(ins[0].reshape(-1, ins[0].shape[2]), t["weight"],
                                                gy.reshape(-1, gy.shape[2]))
                    grads_p[nid] = {"weight": gw, "bias": gb} if "bias" in t else {"weight": gw}
                    gins = [gx.reshape(ins[0].shape)]
                else:
                    gins = [gy]
            elif k in ("Dense", "Neuron", "Output"):
                xf = np.concatenate([i.reshape(n, -1) for i in ins], axis=1)
                if k == "Neuron":
                    gy = act_backward(p["activation"], self._cache[nid], vals[nid], gy)
                if k == "Output":
                    gx = gy
                else:
                    gx, gw, gb = dense_backward(xf, t["weight"], gy)
                    grads_p[nid] = {"weight": gw, "bias": gb} if "bias" in t else {"weight": gw}
                gins, col = [], 0
                for i in ins:
                    w = int(np.prod(i.shape[1:]))
                    gins.append(gx[:, col:col + w].reshape(i.shape))
                    col += w
            elif k == "Activation":
                gins = [act_backward(p["function"], ins[0], vals[nid], gy)]
            elif k == "Dropout":
                gins = [gy * self._cache[nid]]
            elif k == "BatchNorm":
                gx, gw, gb = batchnorm_backward(gy, t["weight"], self._cache[nid])
                grads_p[nid] = {"weight": gw, "bias": gb}
                gins = [gx]
            elif k == "LayerNorm" and p.get("over") == "last" and ins[0].ndim == 3:
                gx, gw, gb = layernorm_backward(gy.reshape(-1, gy.shape[2]), t["weight"], self._cache[nid])
                grads_p[nid] = {"weight": gw, "bias": gb}
                gins = [gx.reshape(gy.shape)]
            elif k == "MultiheadAttention":
                gx, grads_p[nid] = RA.attention_backward(gy, t, self._cache[nid])
                gins = [gx]
            elif k == "PositionalEmbedding":
                if "weight" in t:
                    grads_p[nid] = {"weight": RA.positional_backward(gy, t["weight"].shape)}
                gins = [gy]
            elif k == "LayerNorm":
                gx, gw, gb = layernorm_backward(gy, t["weight"], self._cache[nid])
                grads_p[nid] = {"weight": gw, "bias": gb}
                gins = [gx]
            elif k == "Add":
                gins = [gy for _ in ins]
            elif k == "Concat":
                gins, c0 = [], 0
                for i in ins:
                    gins.append(gy[:, c0:c0 + i.shape[1]])
                    c0 += i.shape[1]
            elif k in ("Flatten", "Reshape"):
                gins = [gy.reshape(ins[0].shape)]
            elif k == "Conv2D":
                gx, gw, gb = conv_backward(ins[0], t["weight"], gy, p["stride"], p["padding"])
                grads_p[nid] = {"weight": gw, "bias": gb} if "bias" in t else {"weight": gw}
                gins = [gx]
            elif k in ("MaxPool2D", "AvgPool2D"):
                gins = [pool_backward(ins[0], gy, p["kernel_size"], p["stride"] or p["kernel_size"],
                                      k == "MaxPool2D")]
            elif k == "Embedding":
                grads_p[nid] = {"weight": embedding_backward(ins[0], gy, t["weight"].shape)}
                gins = [np.zeros_like(ins[0])]
            else:  # pragma: no cover
                raise ValueError(k)
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


__all__ = ["ReferenceNet", "sgd_step", "numerical_gradient", "loss", "act_forward", "act_backward"]
