"""RNN, LSTM and GRU: engine vs the NumPy reference, finite differences, and PyTorch parity
(``nn.RNN/LSTM/GRU(batch_first=True)`` with copied weights) for forward, gradients and one
Adam step, with several layers and both directions."""
from __future__ import annotations

import numpy as np
import pytest

import nnstudio as ns
from nnstudio.engine.reference import ReferenceNet, numerical_gradient
from tests.engine.conftest import chain

torch = pytest.importorskip("torch")

T, F, N = 4, 3, 5

# (kind, params): one per cell type, and the variants the issue names (2 layers, bidirectional)
CASES = [
    ("RNN", {"hidden_size": 3}),
    ("RNN", {"hidden_size": 3, "nonlinearity": "relu", "num_layers": 2}),
    ("LSTM", {"hidden_size": 3}),
    ("LSTM", {"hidden_size": 3, "num_layers": 2, "bidirectional": True}),
    ("LSTM", {"hidden_size": 2, "bidirectional": True, "return_sequences": True, "bias": False}),
    ("GRU", {"hidden_size": 3}),
    ("GRU", {"hidden_size": 3, "num_layers": 2, "bidirectional": True, "return_sequences": True}),
]
IDS = [f"{k}-" + "-".join(f"{a}={b}" for a, b in p.items()) for k, p in CASES]


def recurrent_graph(kind, params, loss="mse", k=2):
    layers = [(kind, params)]
    if params.get("return_sequences"):
        layers.append(("Flatten", {}))
    layers.append(("Dense", {"units": k}))
    return chain([T, F], *layers, loss=loss)


def data(seed=0, n=N, k=2):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, T, F)), rng.normal(size=(n, k))


@pytest.mark.parametrize("kind,params", CASES, ids=IDS)
def test_engine_matches_reference(kind, params):
    g, ids = recurrent_graph(kind, params)
    x, y = data()
    plan = ns.compile(g, batch_size=N, seed=2, dtype="float64")
    ref = ReferenceNet(g, plan.params)
    np.testing.assert_allclose(plan.forward(x), ref.forward(x)[ids[-1]], rtol=1e-9, atol=1e-12)
    loss, grads = plan.gradients(x, y)
    ref_loss, ref_grads = ref.loss_and_grads(x, y)
    assert loss == pytest.approx(ref_loss, rel=1e-10)
    assert set(ref_grads[ids[1]]) == set(plan.params[ids[1]])
    for nid, t in ref_grads.items():
        for name, gr in t.items():
            np.testing.assert_allclose(grads[nid][name], gr, rtol=1e-8, atol=1e-12, err_msg=f"{nid}.{name}")


@pytest.mark.parametrize("kind,params", CASES, ids=IDS)
def test_engine_gradients_match_finite_differences(kind, params):
    """Every entry of every tensor of the recurrent node, central differences of the engine's loss."""
    g, ids = recurrent_graph(kind, params)
    x, y = data(1)
    plan = ns.compile(g, batch_size=N, seed=3, dtype="float64")
    _, grads = plan.gradients(x, y)
    for name, tensor in plan.params[ids[1]].items():
        fd = numerical_gradient(lambda: plan.loss(x, y), tensor)
        np.testing.assert_allclose(grads[ids[1]][name], fd, rtol=1e-5, atol=1e-8, err_msg=name)


@pytest.mark.parametrize("kind,params", CASES, ids=IDS)
def test_reference_input_gradient_matches_finite_differences(kind, params):
    g, ids = recurrent_graph(kind, params)
    x, y = data(2)
    plan = ns.compile(g, batch_size=N, seed=4, dtype="float64")
    ref = ReferenceNet(g, plan.params)
    spec_params = g.nodes[ids[1]].params
    from nnstudio.engine import reference_recurrent as R

    out, cache = R.forward(kind, spec_params, ref.params[ids[1]], x)
    gy = np.random.default_rng(5).normal(size=out.shape)
    gx, _ = R.backward(kind, spec_params, ref.params[ids[1]], cache, gy)
    xc = x.copy()
    fd = numerical_gradient(lambda: float((R.forward(kind, spec_params, ref.params[ids[1]], xc)[0] * gy).sum()), xc)
    np.testing.assert_allclose(gx, fd, rtol=1e-6, atol=1e-9)


def test_gradient_into_the_input_of_a_recurrent_node():
    """A recurrent node's input gradient (here into a GRU below it, and into an Embedding) matches."""
    g = ns.Graph()
    inp = g.add("Input", shape=[T])
    emb = g.add("Embedding", num_embeddings=6, embedding_dim=F)
    low = g.add("GRU", hidden_size=3, bidirectional=True, return_sequences=True)
    top = g.add("LSTM", hidden_size=2, num_layers=2)
    head = g.add("Dense", units=2)
    out = g.add("Output", loss="mse")
    for a, b in ((inp, emb), (emb, low), (low, top), (top, head), (head, out)):
        g.connect(a, b)
    rng = np.random.default_rng(6)
    x, y = rng.integers(0, 6, size=(N, T)).astype(np.float64), rng.normal(size=(N, 2))
    plan = ns.compile(g, batch_size=N, seed=5, dtype="float64")
    _, grads = plan.gradients(x, y)
    _, ref_grads = ReferenceNet(g, plan.params).loss_and_grads(x, y)
    for nid in (emb, low, top):
        for name, gr in ref_grads[nid].items():
            np.testing.assert_allclose(grads[nid][name], gr, rtol=1e-8, atol=1e-12, err_msg=f"{nid}.{name}")
    fd = numerical_gradient(lambda: plan.loss(x, y), plan.params[emb]["weight"])
    np.testing.assert_allclose(grads[emb]["weight"], fd, rtol=1e-5, atol=1e-8)


# --- PyTorch --------------------------------------------------------------------------------------

def torch_twin(g, ids, plan, dtype=torch.float64):
    """nn.RNN/LSTM/GRU(batch_first=True) + nn.Linear with the plan's weights, and its forward."""
    node = g.nodes[ids[1]]
    p = node.params
    kw = {"nonlinearity": p["nonlinearity"]} if node.kind == "RNN" else {}
    rnn = getattr(torch.nn, node.kind)(F, p["hidden_size"], num_layers=p["num_layers"], bias=p["bias"],
                                       batch_first=True, bidirectional=p["bidirectional"], **kw).to(dtype)
    head_id = ids[-2]
    lin = torch.nn.Linear(plan.params[head_id]["weight"].shape[1], plan.params[head_id]["weight"].shape[0]).to(dtype)
    with torch.no_grad():
        for name, prm in rnn.named_parameters():
            prm.copy_(torch.tensor(np.array(plan.params[ids[1]][name])))
        lin.weight.copy_(torch.tensor(np.array(plan.params[head_id]["weight"])))
        lin.bias.copy_(torch.tensor(np.array(plan.params[head_id]["bias"])))
    H = p["hidden_size"]

    def forward(x):
        seq, _ = rnn(x)
        if p["return_sequences"]:
            z = seq.reshape(len(x), -1)
        elif p["bidirectional"]:  # forward's last step, backward's state after reading back to step 0
            z = torch.cat([seq[:, -1, :H], seq[:, 0, H:]], dim=1)
        else:
            z = seq[:, -1]
        return lin(z)

    return rnn, lin, forward


@pytest.mark.parametrize("kind,params", CASES, ids=IDS)
def test_forward_gradients_and_adam_step_match_torch(kind, params):
    g, ids = recurrent_graph(kind, params)
    x, y = data(3)
    plan = ns.compile(g, batch_size=N, seed=6, dtype="float64")
    rnn, lin, fwd = torch_twin(g, ids, plan)
    xt, yt = torch.tensor(x), torch.tensor(y)
    np.testing.assert_allclose(plan.forward(x), fwd(xt).detach().numpy(), rtol=1e-9, atol=1e-12)
    loss, grads = plan.gradients(x, y)
    lt = torch.nn.functional.mse_loss(fwd(xt), yt)
    lt.backward()
    assert loss == pytest.approx(lt.item(), rel=1e-10)
    for name, prm in rnn.named_parameters():
        np.testing.assert_allclose(grads[ids[1]][name], prm.grad.numpy(), rtol=1e-8, atol=1e-12, err_msg=name)
    plan.set_optimizer("adam", lr=0.01)
    opt = torch.optim.Adam(list(rnn.parameters()) + list(lin.parameters()), lr=0.01)
    plan.step(x, y)
    opt.zero_grad()
    torch.nn.functional.mse_loss(fwd(xt), yt).backward()
    opt.step()
    for name, prm in rnn.named_parameters():
        np.testing.assert_allclose(plan.params[ids[1]][name], prm.detach().numpy(), rtol=1e-7, atol=1e-10,
                                   err_msg=name)


def test_gradient_clipping_covers_the_recurrent_tensors():
    g, ids = recurrent_graph("LSTM", {"hidden_size": 3, "bidirectional": True})
    x, y = data(4)
    x *= 10
    plan = ns.compile(g, batch_size=N, seed=7, dtype="float64")
    rnn, lin, fwd = torch_twin(g, ids, plan)
    plan.set_optimizer("sgd", lr=0.5, clip_grad_norm=0.05)
    opt = torch.optim.SGD(list(rnn.parameters()) + list(lin.parameters()), lr=0.5)
    plan.step(x, y)
    torch.nn.functional.mse_loss(fwd(torch.tensor(x)), torch.tensor(y)).backward()
    total = torch.nn.utils.clip_grad_norm_(list(rnn.parameters()) + list(lin.parameters()), 0.05)
    assert total > 0.5  # clipping really happened
    opt.step()
    for name, prm in rnn.named_parameters():
        np.testing.assert_allclose(plan.params[ids[1]][name], prm.detach().numpy(), rtol=1e-7, atol=1e-10)


def test_float32_forward_close_to_torch():
    g, ids = recurrent_graph("GRU", {"hidden_size": 8, "num_layers": 2, "bidirectional": True})
    x, _ = data(5, n=16)
    plan = ns.compile(g, batch_size=16, seed=8)
    _, _, fwd = torch_twin(g, ids, plan, dtype=torch.float32)
    x32 = x.astype(np.float32)
    np.testing.assert_allclose(plan.forward(x32), fwd(torch.tensor(x32)).detach().numpy(), rtol=1e-4, atol=1e-5)


def test_frozen_recurrent_layer_keeps_its_weights_but_passes_gradients():
    g = ns.Graph()
    inp = g.add("Input", shape=[T, F])
    low = g.add("RNN", hidden_size=3, return_sequences=True)
    mid = g.add("LSTM", hidden_size=3, frozen=True)
    head = g.add("Dense", units=2)
    out = g.add("Output", loss="mse")
    for a, b in ((inp, low), (low, mid), (mid, head), (head, out)):
        g.connect(a, b)
    x, y = data(6)
    plan = ns.compile(g, batch_size=N, seed=9, dtype="float64")
    before = {k: v.copy() for k, v in plan.params[mid].items()}
    low_before = plan.params[low]["weight_hh_l0"].copy()
    plan.set_optimizer("sgd", lr=0.1)
    plan.step(x, y)
    for k, v in before.items():
        np.testing.assert_array_equal(plan.params[mid][k], v)
    assert np.abs(plan.params[low]["weight_hh_l0"] - low_before).max() > 1e-6


def test_batches_smaller_than_the_plan_and_wider_evaluation():
    """The last, partial batch of an epoch and an evaluation wider than the batch size agree with
    the reference (the workspace is laid out per batch)."""
    g, ids = recurrent_graph("LSTM", {"hidden_size": 3, "num_layers": 2})
    x, y = data(7, n=11)
    plan = ns.compile(g, batch_size=4, seed=10, dtype="float64")
    ref = ReferenceNet(g, plan.params)
    np.testing.assert_allclose(plan.forward(x), ref.forward(x)[ids[-1]], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(plan.forward(x[:3]), ref.forward(x[:3])[ids[-1]], rtol=1e-9, atol=1e-12)



def unrolled_top_states(g, ids, plan, x):
    """The network rebuilt from PyTorch cells (``nn.RNNCell/LSTMCell/GRUCell`` with the plan's
    weights), unrolled step by step so that every top-layer state is a tensor of its own: its
    ``.grad`` after backward is the total d loss / d h_t through time. Returns the network's
    output and the top layer's states as ``states[direction][t]``."""
    node = g.nodes[ids[1]]
    p = node.params
    H, L, D = p["hidden_size"], p["num_layers"], 2 if p["bidirectional"] else 1
    weights = plan.params[ids[1]]
    cell_class = {"RNN": torch.nn.RNNCell, "LSTM": torch.nn.LSTMCell, "GRU": torch.nn.GRUCell}[node.kind]
    kw = {"nonlinearity": p["nonlinearity"]} if node.kind == "RNN" else {}
    inp = x
    for layer in range(L):
        states = []
        for d in range(D):
            suffix = f"_l{layer}" + ("_reverse" if d else "")
            cell = cell_class(inp.shape[2], H, bias=p["bias"], **kw).to(torch.float64)
            with torch.no_grad():
                for name, prm in cell.named_parameters():
                    prm.copy_(torch.tensor(np.array(weights[name + suffix])))
            h = torch.zeros(len(x), H, dtype=torch.float64)
            c = torch.zeros_like(h)
            hs = [None] * T
            for t in (reversed(range(T)) if d else range(T)):
                if node.kind == "LSTM":
                    h, c = cell(inp[:, t], (h, c))
                else:
                    h = cell(inp[:, t], h)
                h.retain_grad()
                hs[t] = h
            states.append(hs)
        inp = torch.stack([torch.cat([states[d][t] for d in range(D)], dim=1) for t in range(T)], dim=1)
    if p["return_sequences"]:
        z = inp.reshape(len(x), -1)
    else:
        z = torch.cat([states[0][T - 1]] + ([states[1][0]] if D == 2 else []), dim=1)
    head = plan.params[ids[-2]]
    return z @ torch.tensor(np.array(head["weight"])).T + torch.tensor(np.array(head["bias"])), states


@pytest.mark.parametrize("kind,params", CASES, ids=IDS)
def test_hidden_states_and_their_total_gradients_through_time_are_exposed(kind, params):
    """``plan.internals(nid)``: every step's top-layer state, and d loss / d it *through time* (what
    reaches it from the head plus what flows back from later steps), as unrolled PyTorch cells say."""
    g, ids = recurrent_graph(kind, params)
    x, y = data(8)
    plan = ns.compile(g, batch_size=N, seed=11, dtype="float64")
    loss, _ = plan.gradients(x, y)
    got = plan.internals(ids[1])
    H = params["hidden_size"]
    D = 2 if params.get("bidirectional") else 1
    assert got["hidden"].shape == got["hidden_grad"].shape == (N, T, D * H)
    out, states = unrolled_top_states(g, ids, plan, torch.tensor(x))
    torch_loss = torch.nn.functional.mse_loss(out, torch.tensor(y))
    assert torch_loss.item() == pytest.approx(loss, rel=1e-10)
    torch_loss.backward()
    for d in range(D):
        for t in range(T):
            cols = slice(d * H, (d + 1) * H)
            np.testing.assert_allclose(got["hidden"][:, t, cols], states[d][t].detach().numpy(), rtol=1e-9,
                                       atol=1e-12)
            np.testing.assert_allclose(got["hidden_grad"][:, t, cols], states[d][t].grad.numpy(), rtol=1e-8,
                                       atol=1e-12, err_msg=f"direction {d}, step {t}")


def test_the_gradient_through_time_fades_in_a_plain_rnn_and_lasts_longer_in_an_lstm():
    """Only the last step feeds the head, yet every earlier state gets a gradient through the
    recurrence; a tanh RNN's fades step by step going back in time, an LSTM's less."""
    steps = 30
    norms = {}
    for kind in ("RNN", "LSTM"):
        g, ids = chain([steps, 2], (kind, {"hidden_size": 8}), ("Dense", {"units": 1}), loss="mse")
        plan = ns.compile(g, batch_size=16, seed=0, dtype="float64")
        rng = np.random.default_rng(0)
        plan.gradients(rng.normal(size=(16, steps, 2)), rng.normal(size=(16, 1)))
        norms[kind] = np.linalg.norm(plan.internals(ids[1])["hidden_grad"], axis=2).mean(axis=0)
        assert np.all(norms[kind] > 0)  # not only the last step
    rnn, lstm = norms["RNN"], norms["LSTM"]
    assert np.all(np.diff(rnn[-10:]) > 0)  # growing towards the end: fading going back
    assert rnn[0] / rnn[-1] < 1e-2, rnn
    assert lstm[0] / lstm[-1] > rnn[0] / rnn[-1], (lstm, rnn)
