"""The layered layout is plain Python: these tests need no QApplication."""
from __future__ import annotations

import nnstudio as ns
from nnstudio.ui.canvas import layout
from tests.conftest import build_cnn, build_mlp


def test_columns_go_left_to_right_by_depth():
    g, ids = build_mlp((2, 4, 4, 1))
    pos = layout.layered_positions(g)
    order = g.topological_order()
    xs = [pos[n][0] for n in order]
    assert xs == sorted(xs) and len(set(xs)) == len(order)
    assert all(b - a == layout.COLUMN for a, b in zip(xs, xs[1:]))
    assert len({pos[n][1] for n in order}) == 1  # a chain is one straight row


def test_depth_is_the_longest_path_and_branches_share_a_column():
    g = ns.Graph()
    x = g.add("Input", shape=[4])
    a = g.add("Dense", units=4)
    b = g.add("Dense", units=4)
    r = g.add("Activation")
    s = g.add("Add")
    for src, dst in [(x, a), (a, r), (x, b), (r, s), (b, s)]:
        g.connect(src, dst)
    depth = layout.layer_depths(g)
    assert depth == {x: 0, a: 1, b: 1, r: 2, s: 3}  # the skip wire does not pull Add left
    pos = layout.layered_positions(g, origin=(0.0, 0.0))
    assert pos[a][0] == pos[b][0] and pos[a][1] != pos[b][1]
    assert all(v % layout.GRID == 0 for p in pos.values() for v in p)


def test_layout_of_a_selection_moves_only_it_and_starts_at_its_corner():
    g, ids = build_cnn()
    for i, nid in enumerate(g.nodes):
        g.move(nid, (1000.0 - 40 * i, 500.0 + 40 * i))
    chosen = [ids["conv2"], ids["relu2"], ids["pool2"]]
    pos = layout.layered_positions(g, chosen)
    assert set(pos) == set(chosen)
    assert min(p[0] for p in pos.values()) == min(g.nodes[n].pos[0] for n in chosen)
    assert pos[ids["conv2"]][0] < pos[ids["relu2"]][0] < pos[ids["pool2"]][0]


def test_separate_networks_are_stacked_without_overlap():
    g1, _ = build_mlp((2, 3, 1))
    g = g1.copy()
    extra = [g.add("Input", shape=[2]), g.add("Output", loss="mse")]
    g.connect(*extra)
    pos = layout.layered_positions(g, origin=(0.0, 0.0))
    first = [n for n in g.nodes if n not in extra]
    assert min(pos[n][1] for n in extra) >= max(pos[n][1] for n in first) + layout.NODE_HEIGHT


def test_neuron_columns_are_tight_and_centred():
    g = ns.Graph()
    x = g.add("Input", shape=[2])
    ns_ = [g.add("Neuron") for _ in range(4)]
    o = g.add("Output", loss="mse")
    for n in ns_:
        g.connect(x, n)
        g.connect(n, o)
    pos = layout.layered_positions(g, origin=(0.0, 0.0))
    ys = sorted(pos[n][1] for n in ns_)
    assert [b - a for a, b in zip(ys, ys[1:])] == [layout.NEURON_ROW] * 3
    centre_neurons = (ys[0] + ys[-1] + layout.NEURON_HEIGHT) / 2
    centre_input = pos[x][1] + layout.NODE_HEIGHT / 2
    assert abs(centre_neurons - centre_input) <= layout.GRID


def test_a_loop_does_not_break_the_layout():
    g, ids = build_mlp((2, 3, 1))
    # a loop cannot be made through edits; build it from records
    rec = g.to_records()
    rec["edges"].append({"id": "e99", "src": ids["dense1"], "dst": ids["dense0"], "src_port": "out",
                         "dst_port": "in"})
    looped = ns.Graph.from_records(rec)
    pos = layout.layered_positions(looped)
    assert set(pos) == set(looped.nodes)
