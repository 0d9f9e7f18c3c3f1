"""Plain-NumPy RNN, LSTM and GRU (float64, batch first): the oracle of the recurrent kernels.

Written as the textbook equations, one time step at a time, on ``(n, T, F)`` arrays, with
PyTorch's tensors (``weight_ih_l0``, ... , ``_reverse``) and gate orders (LSTM i, f, g, o;
GRU r, z, n with n = tanh(W_in x + b_in + r * (W_hn h + b_hn))). Backward is
backpropagation through time written out per step, independently of the kernels' layout.
"""
from __future__ import annotations

from typing import Any

import numpy as np

KINDS = ("RNN", "LSTM", "GRU")
Tensors = dict[str, np.ndarray]


def _sig(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1 + np.tanh(0.5 * x))


def _names(layer: int, d: int) -> tuple[str, str, str, str]:
    s = f"l{layer}" + ("_reverse" if d else "")
    return f"weight_ih_{s}", f"weight_hh_{s}", f"bias_ih_{s}", f"bias_hh_{s}"


def _cell_forward(kind: str, act: str, x: np.ndarray, h: np.ndarray, c: np.ndarray, wih, whh, bih, bhh):
    """One step: returns (h, c, what backward needs)."""
    H = h.shape[1]
    gx = x @ wih.T + bih
    gh = h @ whh.T + bhh
    if kind == "RNN":
        a = gx + gh
        hn = np.tanh(a) if act == "tanh" else np.maximum(a, 0)
        return hn, c, (x, h, a, hn)
    if kind == "LSTM":
        z = gx + gh
        i, f, g, o = _sig(z[:, :H]), _sig(z[:, H:2 * H]), np.tanh(z[:, 2 * H:3 * H]), _sig(z[:, 3 * H:])
        cn = f * c + i * g
        return o * np.tanh(cn), cn, (x, h, c, i, f, g, o, cn)
    r = _sig(gx[:, :H] + gh[:, :H])
    u = _sig(gx[:, H:2 * H] + gh[:, H:2 * H])
    nn = np.tanh(gx[:, 2 * H:] + r * gh[:, 2 * H:])
    return (1 - u) * nn + u * h, c, (x, h, r, u, nn, gh[:, 2 * H:])


def _cell_backward(kind: str, act: str, cache: tuple, dh: np.ndarray, dc: np.ndarray, whh: np.ndarray):
    """d/d(pre-activations, input side), d/d(hidden side), d h_prev, d c_prev for one step."""
    if kind == "RNN":
        x, h, a, hn = cache
        da = dh * ((1 - hn * hn) if act == "tanh" else (a > 0))
        return da, da, da @ whh, dc
    if kind == "LSTM":
        x, h, c, i, f, g, o, cn = cache
        tc = np.tanh(cn)
        dcn = dc + dh * o * (1 - tc * tc)
        dz = np.concatenate([dcn * g * i * (1 - i), dcn * c * f * (1 - f), dcn * i * (1 - g * g),
                             dh * tc * o * (1 - o)], axis=1)
        return dz, dz, dz @ whh, dcn * f
    x, h, r, u, nn, ghn = cache
    dn = dh * (1 - u) * (1 - nn * nn)
    dr = dn * ghn * r * (1 - r)
    du = dh * (h - nn) * u * (1 - u)
    dgx = np.concatenate([dr, du, dn], axis=1)
    dgh = np.concatenate([dr, du, dn * r], axis=1)
    return dgx, dgh, dgh @ whh + dh * u, dc


def forward(kind: str, params: dict[str, Any], t: Tensors, x: np.ndarray) -> tuple[np.ndarray, Any]:
    """Output (n, T, D*H) or (n, D*H) and the cache for :func:`backward`."""
    n, T, _ = x.shape
    H, L = params["hidden_size"], params["num_layers"]
    D = 2 if params["bidirectional"] else 1
    act = params.get("nonlinearity", "tanh")
    G = {"RNN": 1, "LSTM": 4, "GRU": 3}[kind]
    caches = []
    inp = np.asarray(x, np.float64)
    for layer in range(L):
        outs = []
        for d in range(D):
            wih, whh, bih, bhh = (t.get(k, np.zeros(G * H)) for k in _names(layer, d))
            h, c = np.zeros((n, H)), np.zeros((n, H))
            hs = np.zeros((n, T, H))
            steps = []
            for s in range(T):
                ti = T - 1 - s if d else s
                h, c, cache = _cell_forward(kind, act, inp[:, ti], h, c, wih, whh, bih, bhh)
                hs[:, ti] = h
                steps.append((ti, cache))
            outs.append(hs)
            caches.append((layer, d, steps))
        inp = np.concatenate(outs, axis=2)
    seq = inp
    if params["return_sequences"]:
        return seq, (caches, seq.shape)
    last = seq[:, -1, :H] if D == 1 else np.concatenate([seq[:, -1, :H], seq[:, 0, H:]], axis=1)
    return last, (caches, seq.shape)


def backward(kind: str, params: dict[str, Any], t: Tensors, cache: Any, gy: np.ndarray) -> tuple[np.ndarray, Tensors]:
    """d loss / d input (n, T, F) and d loss / d every tensor, given d loss / d output."""
    caches, (n, T, W) = cache
    H, L = params["hidden_size"], params["num_layers"]
    D = 2 if params["bidirectional"] else 1
    act = params.get("nonlinearity", "tanh")
    if params["return_sequences"]:
        gseq = np.array(gy, np.float64).reshape(n, T, W)
    else:
        gseq = np.zeros((n, T, W))
        gseq[:, -1, :H] = gy[:, :H]
        if D == 2:
            gseq[:, 0, H:] = gy[:, H:]
    grads: Tensors = {}
    by_layer = {(layer, d): steps for layer, d, steps in caches}
    for layer in range(L - 1, -1, -1):
        gin = None
        for d in range(D):
            wn, hn, bin_, bhn = _names(layer, d)
            wih, whh = t[wn], t[hn]
            gw_ih, gw_hh = np.zeros_like(wih), np.zeros_like(whh)
            gb_ih, gb_hh = np.zeros(wih.shape[0]), np.zeros(wih.shape[0])
            dh, dc = np.zeros((n, H)), np.zeros((n, H))
            steps = by_layer[(layer, d)]
            g_this = np.zeros((n, T, wih.shape[1]))
            for ti, step in reversed(steps):
                dgx, dgh, dh, dc = _cell_backward(kind, act, step, gseq[:, ti, d * H:(d + 1) * H] + dh, dc, whh)
                x_t, h_prev = step[0], step[1]
                gw_ih += dgx.T @ x_t
                gw_hh += dgh.T @ h_prev
                gb_ih += dgx.sum(axis=0)
                gb_hh += dgh.sum(axis=0)
                g_this[:, ti] = dgx @ wih
            grads[wn], grads[hn] = gw_ih, gw_hh
            if bin_ in t:
                grads[bin_], grads[bhn] = gb_ih, gb_hh
            gin = g_this if gin is None else gin + g_this
        gseq = gin
    return gseq, grads
