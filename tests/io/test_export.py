"""Exporters: PyTorch module and ONNX model reproduce plan.forward on random graphs of every kind;
the npz convention; clear refusals."""
from __future__ import annotations

import collections

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nnstudio as ns
from nnstudio.errors import ExportError
from nnstudio.graph import kinds
from nnstudio.io.export import FORMATS, export_project, output_path
from nnstudio.io.export.network import identifier, prepare
from nnstudio.io.export.npz_weights import state_dict
from nnstudio.io.export.onnx_model import BUILDERS, IR_VERSION, OPSET
from nnstudio.io.export.pytorch_code import EMITTERS
from tests.conftest import build_mlp
from tests.io.export_graphs import FUNCTIONS, inputs_for, random_graph
from tests.io.export_helpers import load_script

torch = pytest.importorskip("torch")
onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

SEEDS = range(36)  # 12 graphs of each family
TOL = dict(rtol=1e-5, atol=1e-5)


def compiled(graph, seed):
    """A float32 plan with non-trivial BatchNorm running statistics (eval mode must use them)."""
    plan = ns.compile(graph, batch_size=16, seed=seed)
    rng = np.random.default_rng(seed)
    for t in plan.params.values():
        if "running_var" in t:
            t["running_mean"][:] = rng.normal(size=t["running_mean"].shape)
            t["running_var"][:] = rng.uniform(0.5, 2.0, size=t["running_var"].shape)
    return plan


def test_every_registry_kind_has_an_exporter():
    assert set(EMITTERS) == set(kinds.REGISTRY), "PyTorch export misses or has extra kinds"
    assert set(BUILDERS) == set(kinds.REGISTRY), "ONNX export misses or has extra kinds"


def test_the_random_graphs_cover_every_kind_function_frozen_and_expanded_neurons():
    seen, functions, frozen, expanded = collections.Counter(), set(), 0, 0
    for seed in SEEDS:
        g, _ = random_graph(seed)
        for n in g.nodes.values():
            seen[n.kind] += 1
            functions.add(n.params.get("function") or n.params.get("activation"))
            frozen += bool(n.params.get("frozen"))
        expanded += any("expanded_from" in grp.meta for grp in g.groups.values())
    assert set(seen) == set(kinds.REGISTRY)
    assert set(FUNCTIONS) <= functions
    assert frozen >= 5 and expanded >= 5


@pytest.mark.parametrize("seed", SEEDS)
def test_pytorch_module_reproduces_plan_forward(seed, tmp_path):
    g, family = random_graph(seed)
    plan = compiled(g, seed)
    files = export_project("pytorch", tmp_path / "net.py", g, plan.params)
    assert [f.name for f in files] == ["net.py", "net_weights.npz"]
    script = load_script(files[0])
    model = script.Net()
    script.load_weights(model, files[1])
    model.eval()
    x = inputs_for(g, family, 9, seed)
    with torch.no_grad():
        got = model(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(got, plan.forward(x), **TOL)
    # the attributes carry the node names; frozen layers do not train
    net = prepare(g, plan.params)
    for node in net.nodes:
        if node.tensors:
            assert script.Net.NODE_NAMES[node.ident] == node.name
            layer = getattr(model, node.ident)
            assert all(p.requires_grad != node.frozen for p in layer.parameters())


@pytest.mark.parametrize("seed", SEEDS)
def test_onnx_model_reproduces_plan_forward(seed, tmp_path):
    g, family = random_graph(seed)
    plan = compiled(g, seed)
    (path,) = export_project("onnx", tmp_path / "net", g, plan.params)
    assert path.name == "net.onnx"
    model = onnx.load(str(path))
    onnx.checker.check_model(model, full_check=True)
    assert model.ir_version == IR_VERSION
    assert [(o.domain, o.version) for o in model.opset_import] == [("", OPSET)]
    (inp,) = model.graph.input
    assert inp.type.tensor_type.shape.dim[0].dim_param == "batch"
    # weights are initializers named "<node name>.<tensor>": those of every node that feeds the Output
    net = prepare(g, plan.params)
    feeding = {net.output.id}
    for node in reversed(net.nodes):
        if node.id in feeding:
            feeding.update(node.inputs)
    names = {i.name for i in model.graph.initializer if "/" not in i.name}
    assert names == {f"{n.name}.{t}" for n in net.nodes if n.id in feeding for t in n.tensors}
    session = ort.InferenceSession(path.read_bytes(), providers=["CPUExecutionProvider"])
    for n in (1, 13):  # the batch dimension is dynamic
        x = inputs_for(g, family, n, seed)
        (got,) = session.run(None, {"input": x})
        np.testing.assert_allclose(got, plan.forward(x), **TOL)


def test_onnx_uses_running_statistics_and_no_dropout(tmp_path):
    g = ns.Graph()
    x = g.add("Input", shape=[3])
    bn = g.add("BatchNorm")
    dr = g.add("Dropout", p=0.9)
    d = g.add("Dense", units=2)
    out = g.add("Output", loss="mse")
    for a, b in [(x, bn), (bn, dr), (dr, d), (d, out)]:
        g.connect(a, b)
    plan = ns.compile(g, 8, seed=1)
    plan.params[bn]["running_mean"][:] = [1.0, -2.0, 0.5]
    plan.params[bn]["running_var"][:] = [4.0, 0.25, 1.0]
    (path,) = export_project("onnx", tmp_path / "bn.onnx", g, plan.params)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    xs = np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32)
    w, b = plan.params[d]["weight"], plan.params[d]["bias"]
    expected = ((xs - [1.0, -2.0, 0.5]) / np.sqrt(np.array([4.0, 0.25, 1.0]) + 1e-5)) @ w.T + b
    np.testing.assert_allclose(session.run(None, {"input": xs})[0], expected, **TOL)


def test_npz_holds_state_dict_keys_by_node_name(tmp_path):
    g, ids = build_mlp((2, 4, 3), loss="cross_entropy")
    g.rename(ids["dense0"], "hidden")
    plan = ns.compile(g, 4, seed=2)
    (path,) = export_project("npz", tmp_path / "w", g, plan.params)
    with np.load(path) as npz:
        assert sorted(npz.files) == ["Dense 2.bias", "Dense 2.weight", "hidden.bias", "hidden.weight"]
        np.testing.assert_array_equal(npz["hidden.weight"], plan.params[ids["dense0"]]["weight"])
        assert npz["hidden.weight"].shape == (4, 2) and npz["hidden.weight"].dtype == np.float32


_names = st.text(st.characters(codec="utf-8", exclude_characters="/\\\x00"), min_size=1, max_size=12).filter(
    lambda s: s.strip() == s and s.strip())


@settings(max_examples=40)
@given(names=st.lists(_names, min_size=2, max_size=2, unique=True),
       values=st.lists(st.floats(width=32, allow_nan=False, allow_infinity=False), min_size=12, max_size=12))
def test_npz_round_trips_any_node_names_bit_exactly(tmp_path_factory, names, values):
    g, ids = build_mlp((2, 3, 2))
    g.rename(ids["dense0"], names[0])
    g.rename(ids["dense1"], names[1])
    plan = ns.compile(g, 4, seed=0)
    plan.params[ids["dense0"]]["weight"].ravel()[:] = values[:6]
    plan.params[ids["dense1"]]["weight"].ravel()[:] = values[6:]
    (path,) = export_project("npz", tmp_path_factory.mktemp("npz") / "w.npz", g, plan.params)
    with np.load(path, allow_pickle=False) as npz:
        for nid, name in zip((ids["dense0"], ids["dense1"]), names):
            for tensor, value in plan.params[nid].items():
                np.testing.assert_array_equal(npz[f"{name}.{tensor}"], value)


def test_identifiers_are_valid_unique_and_leave_nn_module_alone(tmp_path):
    taken: set[str] = set()
    idents = [identifier(n, taken) for n in ("Dense 1", "dense-1", "training", "forward", "x", "1st", "", "class")]
    assert len(set(idents)) == len(idents)
    assert all(i.isidentifier() for i in idents)
    assert not any(hasattr(torch.nn.Module, i) for i in idents)
    g, ids = build_mlp((2, 3, 2))
    g.rename(ids["dense0"], "training")
    g.rename(ids["dense1"], "forward")
    plan = ns.compile(g, 4, seed=0)
    script = load_script(export_project("pytorch", tmp_path / "odd.py", g, plan.params)[0])
    model = script.Net()
    script.load_weights(model, tmp_path / "odd_weights.npz")
    assert isinstance(model.training, bool)
    x = np.ones((2, 2), np.float32)
    np.testing.assert_allclose(model(torch.from_numpy(x)).detach().numpy(), plan.forward(x), **TOL)


# --- refusals ---------------------------------------------------------------------------------------

def test_invalid_graph_is_refused_naming_the_node(tmp_path):
    g, ids = build_mlp()
    g.add("Dense", name="Lonely")
    for fmt in FORMATS:
        with pytest.raises(ExportError, match="not valid yet") as info:
            export_project(fmt, tmp_path / "x", g, {})
        assert "Lonely: Dense has nothing connected to its input" in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_weights_that_do_not_fit_the_graph_are_refused(tmp_path):
    g, ids = build_mlp((2, 4, 1))
    plan = ns.compile(g, 4, seed=0)
    params = {nid: dict(t) for nid, t in plan.params.items()}
    params[ids["dense0"]]["weight"] = np.zeros((5, 2), np.float32)
    with pytest.raises(ExportError, match=r"Dense 1: the weights hold a weight of shape 5x2 but the layer needs 4x2"):
        export_project("onnx", tmp_path / "x", g, params)
    del params[ids["dense0"]]
    with pytest.raises(ExportError, match="Dense 1: its weight is missing"):
        export_project("npz", tmp_path / "x", g, params)
    bad = {nid: {k: np.full_like(v, np.nan) for k, v in t.items()} for nid, t in plan.params.items()}
    with pytest.raises(ExportError, match="NaN or infinite"):
        export_project("pytorch", tmp_path / "x", g, bad)
    assert list(tmp_path.iterdir()) == []


def test_duplicate_names_unknown_format_and_missing_folder_are_refused(tmp_path):
    g, ids = build_mlp((2, 4, 1))
    plan = ns.compile(g, 4, seed=0)
    with pytest.raises(ExportError, match="unknown export format 'tflite'; choose one of pytorch, onnx, npz"):
        export_project("tflite", tmp_path / "x", g, plan.params)
    with pytest.raises(ExportError, match="does not exist"):
        export_project("onnx", tmp_path / "nowhere" / "x.onnx", g, plan.params)
    g.rename(ids["dense1"], "Dense 1")
    with pytest.raises(ExportError, match="two nodes are named 'Dense 1'"):
        export_project("npz", tmp_path / "x", g, plan.params)


def test_output_path_adds_the_extension_or_names_the_file_in_a_folder(tmp_path):
    assert output_path("onnx", tmp_path / "m") == tmp_path / "m.onnx"
    assert output_path("pytorch", tmp_path / "m.py") == tmp_path / "m.py"
    assert output_path("npz", tmp_path, name="spiral") == tmp_path / "spiral.npz"
