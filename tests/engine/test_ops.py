"""The op registry: every kind lowers, every op row fits its buffers, internals are readable."""
from __future__ import annotations

import numpy as np
import pytest

import nnstudio as ns
from nnstudio.engine import ops
from nnstudio.engine.compiler import compile_program
from nnstudio.engine.ops.act import ACT
from nnstudio.engine.ops.schema import Op, buf, check_program, num
from nnstudio.engine.reference import BACKWARD, FORWARD, ReferenceNet
from nnstudio.graph import kinds
from tests.conftest import build_cnn
from tests.engine.conftest import chain
from tests.io.export_graphs import random_graph


def test_every_kind_has_a_lowering_and_a_reference():
    for kind in kinds.names():
        assert kind in ops.LOWERINGS, f"{kind} has no engine lowering"
        assert kind in FORWARD, f"{kind} has no reference forward pass"
        if kind != "Input":
            assert kind in BACKWARD, f"{kind} has no reference backward pass"


def test_opcodes_are_unique_and_follow_the_registry():
    codes = [r.op.code for r in ops.OPS]
    assert codes == list(range(1, len(codes) + 1))
    assert {r.op.name for r in ops.OPS} >= {"gather", "dense", "neurons", "act", "dropout", "batchnorm",
                                            "layernorm", "add", "conv", "pool", "embed"}
    assert ops.BY_CODE[ACT.code] is ACT


def test_a_row_is_filled_by_name_and_refuses_missing_or_unknown_fields():
    row = ACT.row(x=3, y=5, f=2, code=1, gx=-1, gy=6, acc=0)
    assert row[0] == ACT.code and row[ACT.col("y")] == 5 and row[ACT.col("gx")] == -1
    assert ACT.read(row)["f"] == 2
    with pytest.raises(TypeError, match="missing fields"):
        ACT.row(x=3, y=5)
    with pytest.raises(TypeError, match="unknown fields"):
        ACT.row(x=3, y=5, f=2, code=1, gx=-1, gy=6, acc=0, bogus=1)


def _graphs():
    yield "cnn", build_cnn()[0]
    for seed in range(45):
        yield f"random {seed}", random_graph(seed)[0]
    yield "embedding", chain((3,), ("Embedding", {"num_embeddings": 5, "embedding_dim": 2}), ("Flatten", {}),
                             ("Dense", {"units": 2}))[0]


@pytest.mark.parametrize("batch", [1, 7])
def test_every_row_of_many_programs_fits_its_buffers(batch):
    seen = set()
    for name, g in _graphs():
        p = compile_program(g, batch)
        assert check_program(p) == [], name
        seen |= {int(c) for c in p.code[:, 0]}
    assert seen == {r.op.code for r in ops.OPS}, "some op never appeared in the checked graphs"


def _graph_with(op_name: str) -> ns.Graph:
    if op_name in ("conv", "pool"):
        return build_cnn()[0]
    if op_name == "batchnorm":
        return chain((1, 4, 4), ("BatchNorm", {}), ("Flatten", {}), ("Dense", {"units": 2}))[0]
    if op_name == "gather":  # two wires into the Output: gathered side by side
        g, ids = chain((3,), ("Dense", {"units": 2}))
        extra = g.add("Dense", units=2)
        g.connect(ids[0], extra)
        g.connect(extra, ids[-1])
        return g
    return chain((3,), ("Dense", {"units": 4}), ("Activation", {"function": "tanh"}), ("Dense", {"units": 2}))[0]


@pytest.mark.parametrize("op_name", ["dense", "act", "conv", "pool", "gather", "batchnorm"])
def test_a_buffer_one_value_too_small_is_caught(op_name):
    p = compile_program(_graph_with(op_name), 4)
    op = ops.BY_NAME[op_name]
    r = next(i for i, row in enumerate(p.code) if int(row[0]) == op.code)
    values = op.read(p.code[r])
    assert check_program(p) == []
    for field in op.fields:  # every buffer field in turn: one value short must be reported, by name
        if field.role != "buf" or eval(field.size, {}, {**values, "n": 4}) < 1:
            continue
        q = compile_program(_graph_with(op_name), 4)
        q.B[values[field.name]] = q.B[values[field.name]][:-1]  # as if the compiler sized it wrong
        problems = check_program(q)
        assert any(f"{op_name}.{field.name}" in m for m in problems), (field.name, problems)


def test_an_index_out_of_range_and_a_bad_flag_are_caught():
    p = compile_program(build_cnn()[0], 2)
    dense = ops.BY_NAME["dense"]
    r = next(i for i, row in enumerate(p.code) if int(row[0]) == dense.code)
    p.code[r, dense.col("y")] = len(p.B) + 3
    p.code[r, dense.col("has_bias")] = 2
    problems = check_program(p)
    assert any("dense.y" in m and "no such buffer" in m for m in problems)
    assert any("dense.has_bias = 2" in m for m in problems)


def test_extra_checks_of_a_schema_are_evaluated():
    op = Op("toy", [buf("x", "n * f"), num("f"), num("g")], checks=("g <= f",))
    sizes = [1, 8]
    ok = op.row(x=1, f=4, g=2)
    bad = op.row(x=1, f=4, g=5)
    args = (2, sizes.__getitem__, 2, (lambda i: 1), 1)
    assert ops.check_row(op, ok, *args) == []
    assert ops.check_row(op, bad, *args) == ["toy: g <= f fails for {'x': 1, 'f': 4, 'g': 5}"]
    assert ops.check_row(op, ok, 3, *args[1:]) != []  # batch 3 needs 12 values, the buffer has 8


def test_dropout_exposes_its_mask_and_batchnorm_its_xhat(rng):
    g, ids = chain((5,), ("Dense", {"units": 6}), ("Dropout", {"p": 0.5}), ("BatchNorm", {}),
                   ("Dense", {"units": 2}))
    drop, bn = ids[2], ids[3]
    plan = ns.compile(g, batch_size=8, dtype="float64")
    x, y = rng.normal(size=(6, 5)), rng.normal(size=(6, 2))
    plan.gradients(x, y)
    mask = plan.internals(drop)["mask"]
    assert mask.shape == (6, 6)
    assert set(np.unique(mask)) <= {0.0, 2.0} and 0 < np.count_nonzero(mask) < mask.size
    acts = plan._view(plan._p.outputs[ids[1]][0], (6,), 6), plan._view(plan._p.outputs[drop][0], (6,), 6)
    np.testing.assert_allclose(acts[1], acts[0] * mask)  # the mask is what dropout applied
    # the reference, replaying that mask, normalizes to the same xhat
    ref = ReferenceNet(g, plan.params)
    ref.forward(x, train=True, masks={drop: mask})
    xhat = plan.internals(bn)["xhat"]
    assert xhat.shape == (6, 6)
    np.testing.assert_allclose(xhat, ref._cache[bn][0], atol=1e-10)
    got = plan.internals(drop)["mask"]
    got[...] = 7.0  # a copy: writing into it leaves the plan alone
    assert not np.any(plan.internals(drop)["mask"] == 7.0)
    assert plan.internals(ids[1]) == {}  # Dense exposes nothing
