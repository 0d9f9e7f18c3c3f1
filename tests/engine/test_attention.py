"""MultiheadAttention, PositionalEmbedding, per-position Dense/LayerNorm and sequence cross-entropy:
the engine against the NumPy reference, finite differences (float64) and PyTorch with copied weights."""
from __future__ import annotations

import numpy as np
import pytest

import nnstudio as ns
from nnstudio.engine.reference import ReferenceNet, numerical_gradient
from nnstudio.errors import TrainingError
from tests.engine.conftest import chain

torch = pytest.importorskip("torch")
F = torch.nn.functional

L, E, H = 5, 6, 2


def block(causal: bool, bias: bool = True, mode: str = "learned", vocab: int = 4) -> tuple[ns.Graph, dict]:
    """Tokens -> Embedding -> PositionalEmbedding -> Dense (per position) -> attention + skip ->
    LayerNorm (last axis) -> Dense (per position) -> Output cross_entropy, one class per position.

    The Dense before the attention makes the attention's input gradient visible: it is the
    gradient of that Dense's weight."""
    g = ns.Graph()
    ids = {
        "in": g.add("Input", shape=[L]),
        "emb": g.add("Embedding", num_embeddings=vocab, embedding_dim=E),
        "pos": g.add("PositionalEmbedding", max_len=L + 2, mode=mode),
        "pre": g.add("Dense", units=E),
        "att": g.add("MultiheadAttention", num_heads=H, causal=causal, bias=bias),
        "add": g.add("Add"),
        "ln": g.add("LayerNorm", over="last"),
        "head": g.add("Dense", units=vocab),
        "out": g.add("Output", loss="cross_entropy"),
    }
    for a, b in [("in", "emb"), ("emb", "pos"), ("pos", "pre"), ("pre", "att"), ("att", "add"), ("pre", "add"),
                 ("add", "ln"), ("ln", "head"), ("head", "out")]:
        g.connect(ids[a], ids[b])
    return g, ids


def tokens(rng, n: int, vocab: int = 4) -> tuple[np.ndarray, np.ndarray]:
    x = rng.integers(0, vocab, size=(n, L))
    return x.astype(np.float64), rng.integers(0, vocab, size=(n, L))


def randomize(plan, rng) -> None:
    """Non-zero biases and LayerNorm scales, so their gradients matter."""
    for t in plan.params.values():
        for name, a in t.items():
            if name != "table":
                a[...] = rng.normal(0, 0.5, size=a.shape)


def test_shapes_and_parameter_layouts():
    g, ids = block(causal=False)
    shapes = g.infer_shapes()
    assert shapes[ids["att"]] == (L, E) and shapes[ids["head"]] == (L, 4) and shapes[ids["out"]] == (L, 4)
    plan = ns.compile(g, batch_size=2)
    t = plan.params[ids["att"]]
    assert {k: v.shape for k, v in t.items()} == {
        "in_proj_weight": (3 * E, E), "in_proj_bias": (3 * E,), "out_proj_weight": (E, E), "out_proj_bias": (E,)}
    assert plan.params[ids["ln"]]["weight"].shape == (E,)
    assert plan.params[ids["head"]]["weight"].shape == (4, E)
    assert plan.params[ids["pos"]]["weight"].shape == (L + 2, E)
    assert g.nodes[ids["att"]].spec.count_params(g.nodes[ids["att"]].params, [(L, E)]) == 4 * E * E + 4 * E


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("bias", [True, False])
def test_engine_matches_reference_and_finite_differences(causal, bias, rng):
    g, ids = block(causal, bias)
    x, y = tokens(rng, 3)
    plan = ns.compile(g, batch_size=3, seed=1, dtype="float64")
    randomize(plan, rng)
    ref = ReferenceNet(g, plan.params)
    out = plan.forward(x)
    np.testing.assert_allclose(out.reshape(3, L, 4), ref.forward(x)[ids["out"]], rtol=1e-9, atol=1e-10)
    loss, grads = plan.gradients(x, y)
    ref_loss, ref_grads = ReferenceNet(g, plan.params).loss_and_grads(x, y)
    np.testing.assert_allclose(loss, ref_loss, rtol=1e-10)
    assert set(ref_grads) == set(grads)
    for nid, t in ref_grads.items():
        assert set(t) == set(grads[nid])
        for name, gr in t.items():
            np.testing.assert_allclose(grads[nid][name], gr, rtol=1e-7, atol=1e-10, err_msg=f"{nid}.{name}")
    # finite differences of the engine's own loss, on every tensor of every node
    for nid, t in plan.params.items():
        for name, a in t.items():
            num = numerical_gradient(lambda: plan.loss(x, y), a)
            np.testing.assert_allclose(grads[nid][name], num, rtol=1e-5, atol=1e-8, err_msg=f"FD {nid}.{name}")


def test_causal_attention_does_not_look_ahead(rng):
    """Changing the last token changes no earlier position's output; without the mask it does."""
    for causal in (True, False):
        g, _ = block(causal)
        plan = ns.compile(g, batch_size=2, seed=2, dtype="float64")
        x, _ = tokens(rng, 1)
        x2 = x.copy()
        x2[0, -1] = (x2[0, -1] + 1) % 4
        a, b = plan.forward(x).reshape(L, 4), plan.forward(x2).reshape(L, 4)
        early_same = np.allclose(a[:-1], b[:-1], rtol=0, atol=1e-12)
        assert early_same == causal
        assert not np.allclose(a[-1], b[-1])


def test_sinusoidal_table_is_fixed_and_matches_the_formula(rng):
    g, ids = block(causal=False, mode="sinusoidal")
    plan = ns.compile(g, batch_size=2, seed=0, dtype="float64")
    table = plan.params[ids["pos"]]["table"]
    pos, i = 3, 2  # column 2i is sin(pos / 10000^(2i/E)), column 2i+1 its cosine
    np.testing.assert_allclose(table[pos, 2 * i], np.sin(pos / 10000 ** (2 * i / E)))
    np.testing.assert_allclose(table[pos, 2 * i + 1], np.cos(pos / 10000 ** (2 * i / E)))
    x, y = tokens(rng, 2)
    before = table.copy()
    plan.set_optimizer("adam", lr=0.1)
    plan.step(x, y)
    np.testing.assert_array_equal(table, before)
    assert "table" not in plan.gradients(x, y)[1].get(ids["pos"], {})


# --- PyTorch parity ---------------------------------------------------------------------------------------

def _attention_graph(causal: bool, bias: bool):
    return chain([L, E], ("MultiheadAttention", {"num_heads": H, "causal": causal, "bias": bias}),
                 ("Flatten", {}), loss="mse")


def _torch_mha(t: dict, causal: bool, bias: bool):
    mha = torch.nn.MultiheadAttention(E, H, bias=bias, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        mha.in_proj_weight.copy_(torch.from_numpy(t["in_proj_weight"]))
        mha.out_proj.weight.copy_(torch.from_numpy(t["out_proj_weight"]))
        if bias:
            mha.in_proj_bias.copy_(torch.from_numpy(t["in_proj_bias"]))
            mha.out_proj.bias.copy_(torch.from_numpy(t["out_proj_bias"]))
    mask = torch.triu(torch.ones(L, L, dtype=torch.bool), 1) if causal else None

    def run(x):
        return mha(x, x, x, attn_mask=mask, need_weights=True, average_attn_weights=False)

    torch_names = {"in_proj_weight": mha.in_proj_weight, "out_proj_weight": mha.out_proj.weight}
    if bias:
        torch_names.update(in_proj_bias=mha.in_proj_bias, out_proj_bias=mha.out_proj.bias)
    return mha, run, torch_names


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("bias", [True, False])
def test_multihead_attention_matches_torch(causal, bias, rng):
    g, ids = _attention_graph(causal, bias)
    att = ids[1]
    plan = ns.compile(g, batch_size=4, seed=5, dtype="float64")
    randomize(plan, rng)
    x, y = rng.normal(size=(4, L, E)), rng.normal(size=(4, L * E))
    mha, run, named = _torch_mha({k: v.copy() for k, v in plan.params[att].items()}, causal, bias)
    xt = torch.from_numpy(x)
    out, weights = run(xt)
    np.testing.assert_allclose(plan.forward(x), out.detach().numpy().reshape(4, -1), rtol=1e-9, atol=1e-12)
    # the attention weights of the last batch, as the attention view reads them
    plan.forward(x)
    got = plan.internals(att)["attention"]
    assert got.shape == (4, H, L, L)
    np.testing.assert_allclose(got, weights.detach().numpy(), rtol=1e-9, atol=1e-12)
    # gradients
    value, grads = plan.gradients(x, y)
    lt = F.mse_loss(out.reshape(4, -1), torch.from_numpy(y))
    lt.backward()
    np.testing.assert_allclose(value, lt.item(), rtol=1e-10)
    for name, prm in named.items():
        np.testing.assert_allclose(grads[att][name], prm.grad.numpy(), rtol=1e-7, atol=1e-12, err_msg=name)
    # one Adam step
    plan.set_optimizer("adam", lr=0.01)
    plan.step(x, y)
    opt = torch.optim.Adam(mha.parameters(), lr=0.01)
    opt.zero_grad()
    F.mse_loss(run(xt)[0].reshape(4, -1), torch.from_numpy(y)).backward()
    opt.step()
    for name, prm in named.items():
        np.testing.assert_allclose(plan.params[att][name], prm.detach().numpy(), rtol=1e-7, atol=1e-10, err_msg=name)


def test_per_position_dense_layernorm_and_sequence_cross_entropy_match_torch(rng):
    V = 5
    g, ids = chain([L, 3], ("Dense", {"units": E}), ("LayerNorm", {"over": "last"}), ("Dense", {"units": V}),
                   loss="cross_entropy")
    plan = ns.compile(g, batch_size=4, seed=1, dtype="float64")
    randomize(plan, rng)
    x, y = rng.normal(size=(4, L, 3)), rng.integers(0, V, size=(4, L))
    t = {f"{nid}.{k}": torch.tensor(v.copy(), requires_grad=True) for nid, d in plan.params.items() for k, v in d.items()}
    d1, ln, d2 = ids[1], ids[2], ids[3]

    def net(xt):
        h = F.linear(xt, t[f"{d1}.weight"], t[f"{d1}.bias"])
        h = F.layer_norm(h, (E,), t[f"{ln}.weight"], t[f"{ln}.bias"], 1e-5)
        return F.linear(h, t[f"{d2}.weight"], t[f"{d2}.bias"])

    logits = net(torch.from_numpy(x))
    np.testing.assert_allclose(plan.forward(x), logits.detach().numpy().reshape(4, -1), rtol=1e-9, atol=1e-12)
    lt = F.cross_entropy(logits.reshape(-1, V), torch.from_numpy(y).reshape(-1))  # mean over all 4*L tokens
    lt.backward()
    value, grads = plan.gradients(x, y)
    np.testing.assert_allclose(value, lt.item(), rtol=1e-10)
    for key, tensor in t.items():
        nid, k = key.split(".")
        np.testing.assert_allclose(grads[nid][k], tensor.grad.numpy(), rtol=1e-7, atol=1e-12, err_msg=key)


def test_layernorm_over_all_keeps_its_old_meaning(rng):
    """Old projects (no "over") normalise the whole per-sample shape, with a (L, E) scale."""
    g, ids = chain([L, E], ("LayerNorm", {}), ("Flatten", {}), loss="mse")
    assert g.nodes[ids[1]].params["over"] == "all"
    plan = ns.compile(g, batch_size=2, dtype="float64")
    assert plan.params[ids[1]]["weight"].shape == (L, E)
    x = rng.normal(size=(2, L, E))
    want = F.layer_norm(torch.from_numpy(x), (L, E)).numpy().reshape(2, -1)
    np.testing.assert_allclose(plan.forward(x), want, rtol=1e-9, atol=1e-10)


def test_sequence_targets_are_checked(rng):
    g, _ = block(causal=False)
    plan = ns.compile(g, batch_size=2)
    x, y = tokens(rng, 2)
    with pytest.raises(TrainingError, match="each of 5 positions"):
        plan.loss(x, y[:, :3])
    with pytest.raises(TrainingError, match="between 0 and 3"):
        plan.loss(x, y + 4)
