"""Lowerings without rows of their own: the Input and Output boundaries and the pure relabels.

Flatten and Reshape only relabel; Concat's gather already placed the inputs side by side
(channels too, since NCHW keeps each sample's channels contiguous).
"""
from __future__ import annotations

from math import prod

from nnstudio.engine.ops.registry import lowers


@lowers("Input")
def emit_input(b, node):
    size = prod(b.shape(node.id))
    buf = b.pair(size)
    b.input_id = node.id
    return b.output(node.id, buf, size, grad=False)


@lowers("Output")
def emit_output(b, node):
    pred = b.input(node.id)
    b.prediction = pred
    b.set_output(node.id, pred, b.shape(node.id))
    return pred


@lowers("Flatten", "Reshape", "Concat")
def emit_relabel(b, node):
    src = b.input(node.id)
    ref = b.ref(src.buf, src.width, 0, src.width, src.grad)
    b.set_output(node.id, ref, b.shape(node.id))
    return ref
