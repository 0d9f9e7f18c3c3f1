"""Run one of our graphs in PyTorch with copied weights (for parity tests and benchmarks)."""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

ACT = {
    "linear": lambda x: x, "relu": F.relu, "leaky_relu": lambda x: F.leaky_relu(x, 0.01), "elu": F.elu,
    "gelu": F.gelu, "sigmoid": torch.sigmoid, "tanh": torch.tanh, "softplus": F.softplus, "swish": F.silu,
    "softmax": lambda x: F.softmax(x.reshape(len(x), -1), dim=1).reshape(x.shape),
}


class TorchNet(torch.nn.Module):
    def __init__(self, graph, params, dtype=torch.float64):
        super().__init__()
        self.g = graph
        self.order = graph.topological_order()
        self.shapes = graph.infer_shapes()
        self.tensors = torch.nn.ParameterDict()
        self.buffers_ = {}
        for nid, t in params.items():
            for k, v in t.items():
                tensor = torch.tensor(np.array(v), dtype=dtype)
                if k in ("running_mean", "running_var"):
                    self.buffers_[f"{nid}.{k}"] = tensor
                else:
                    self.tensors[f"{nid}_{k}"] = torch.nn.Parameter(tensor)

    def p(self, nid, k):
        return self.tensors[f"{nid}_{k}"] if f"{nid}_{k}" in self.tensors else None

    def forward(self, x):
        vals = {}
        n = x.shape[0]
        for nid in self.order:
            node = self.g.nodes[nid]
            p = node.params
            ins = [vals[e.src] for e in self.g.in_edges(nid)]
            k = node.kind
            flat = lambda: torch.cat([i.reshape(n, -1) for i in ins], dim=1)  # noqa: E731
            if k == "Input":
                out = x.reshape((n,) + tuple(self.shapes[nid]))
            elif k in ("Dense", "Neuron"):
                out = F.linear(flat(), self.p(nid, "weight"), self.p(nid, "bias"))
                if k == "Neuron":
                    out = ACT[p["activation"]](out)
            elif k == "Activation":
                out = ACT[p["function"]](ins[0])
            elif k == "Dropout":
                out = ins[0]  # parity tests use p=0 or eval mode
            elif k == "BatchNorm":
                out = F.batch_norm(ins[0], self.buffers_[f"{nid}.running_mean"], self.buffers_[f"{nid}.running_var"],
                                   self.p(nid, "weight"), self.p(nid, "bias"), self.training, p["momentum"], p["eps"])
            elif k == "LayerNorm":
                out = F.layer_norm(ins[0], ins[0].shape[1:], self.p(nid, "weight"), self.p(nid, "bias"), p["eps"])
            elif k == "Add":
                out = ins[0]
                for i in ins[1:]:
                    out = out + i
            elif k == "Concat":
                out = torch.cat(ins, dim=1)
            elif k in ("Flatten", "Reshape"):
                out = ins[0].reshape((n,) + tuple(self.shapes[nid]))
            elif k == "Conv2D":
                out = F.conv2d(ins[0], self.p(nid, "weight"), self.p(nid, "bias"), p["stride"], p["padding"])
            elif k == "MaxPool2D":
                out = F.max_pool2d(ins[0], p["kernel_size"], p["stride"] or p["kernel_size"])
            elif k == "AvgPool2D":
                out = F.avg_pool2d(ins[0], p["kernel_size"], p["stride"] or p["kernel_size"])
            elif k == "Embedding":
                out = F.embedding(ins[0].long(), self.p(nid, "weight"))
            elif k == "Output":
                out = flat()
            vals[nid] = out
        return out


def torch_loss(name, pred, y):
    if name == "cross_entropy":
        return F.cross_entropy(pred, y.long().reshape(-1))
    y = y.reshape(pred.shape)
    if name == "mse":
        return F.mse_loss(pred, y)
    if name == "mae":
        return F.l1_loss(pred, y)
    return F.binary_cross_entropy_with_logits(pred, y)


def torch_optimizer(name, params, lr, **opts):
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, **opts)
    if name == "momentum":
        return torch.optim.SGD(params, lr=lr, **opts)
    if name == "nesterov":
        return torch.optim.SGD(params, lr=lr, nesterov=True, **opts)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, **opts)
    return torch.optim.RMSprop(params, lr=lr, **opts)
