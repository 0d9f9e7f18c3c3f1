"""What the canvas actually draws, read back from offscreen grabs."""
from __future__ import annotations

from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QPalette

from nnstudio.ui.canvas import style
from tests.conftest import build_cnn
from tests.ui.canvas.conftest import settle


def redness(c: QColor) -> int:
    return c.red() - (c.green() + c.blue()) // 2


def border_pixels(view, item) -> list[QColor]:
    """Colours just inside the left edge of a node's body, below the header, in the grabbed viewport."""
    img = view.viewport().grab().toImage()
    rect = item.mapRectToScene(item.body_rect())
    out = []
    for dy in (0.45, 0.6, 0.75):
        p = view.mapFromScene(QPointF(rect.left() + 0.5, rect.top() + rect.height() * dy))
        for dx in range(-1, 2):
            out.append(img.pixelColor(p.x() + dx, p.y()))
    return out


def test_invalid_node_is_drawn_with_a_red_outline(scene_view, tmp_path):
    scene, view, stack = scene_view
    g, ids = build_cnn()
    scene.set_graph(g)
    scene.auto_layout()
    view.resize(1400, 500)
    view.fit()
    settle()
    item = scene.node_item(ids["dense"])
    assert max(redness(c) for c in border_pixels(view, item)) < 100
    g.remove(ids["flat"])
    g.connect(ids["pool2"], ids["dense"])
    settle()
    assert max(redness(c) for c in border_pixels(view, item)) > 100
    view.grab().save(str(tmp_path / "invalid.png"))


def test_nodes_follow_the_palette(scene_view):
    scene, view, stack = scene_view
    nid = scene.add_node_at("Dense", QPointF(200, 100))
    settle()
    item = scene.node_item(nid)

    def body_colour() -> QColor:
        rect = item.mapRectToScene(item.body_rect())
        p = view.mapFromScene(QPointF(rect.right() - 12, rect.bottom() - 6))
        return view.viewport().grab().toImage().pixelColor(p)

    light = body_colour()
    dark = QPalette(view.palette())
    dark.setColor(QPalette.Base, QColor("#1e272c"))
    dark.setColor(QPalette.Text, QColor("#eceff1"))
    dark.setColor(QPalette.Window, QColor("#263238"))
    view.setPalette(dark)
    settle()
    assert light.lightness() > 200 and body_colour().lightness() < 80
    header = item.mapRectToScene(0, 0, item.body_rect().width(), style.HEADER)
    p = view.mapFromScene(QPointF(header.right() - 30, header.center().y()))
    assert view.viewport().grab().toImage().pixelColor(p) == style.category_color("Neurons & layers")


def small_cnn():
    import nnstudio as ns

    g = ns.Graph()
    prev = None
    for kind, params in [("Input", {"shape": [1, 8, 8]}), ("Conv2D", {"out_channels": 8, "padding": 1}),
                         ("Activation", {"function": "relu"}), ("MaxPool2D", {"kernel_size": 2}), ("Flatten", {}),
                         ("Dense", {"units": 10}), ("Output", {"loss": "cross_entropy"})]:
        nid = g.add(kind, **params)
        if prev:
            g.connect(prev, nid)
        prev = nid
    return g


def colour_share(img, target: QColor, tol: int = 40) -> float:
    """Fraction of pixels (sampled every 2 px) within ``tol`` of ``target`` per channel."""
    hits = total = 0
    for y in range(0, img.height(), 2):
        for x in range(0, img.width(), 2):
            c = img.pixelColor(x, y)
            total += 1
            if abs(c.red() - target.red()) < tol and abs(c.green() - target.green()) < tol and \
                    abs(c.blue() - target.blue()) < tol:
                hits += 1
    return hits / total


def test_screenshot_of_a_cnn_and_an_mlp_with_an_expanded_layer(scene_view, tmp_path):
    import numpy as np
    from PySide6.QtGui import QImage, QPainter

    from tests.conftest import build_mlp

    scene, view, stack = scene_view
    view.resize(1400, 320)
    scene.set_graph(small_cnn())
    scene.auto_layout()
    view.fit()
    settle()
    top = view.grab()
    assert colour_share(top.toImage(), style.category_color("Convolution")) > 0.002
    g, ids = build_mlp((2, 4, 3, 1))
    scene.set_graph(g)
    scene.select_nodes([ids["dense0"]])
    neurons = scene.expand_selected()
    scene.set_selection([])
    scene.auto_layout()
    rng = np.random.default_rng(3)
    neurons = [n for n in neurons if g.nodes[n].kind == "Neuron"]
    scene.set_neuron_weights({n: {"weight": rng.normal(size=(1, 2)) * 2, "bias": np.zeros(1)} for n in neurons})
    xs = np.linspace(-1, 1, 24)
    gx, gy = np.meshgrid(xs, xs)
    scene.set_neuron_thumbnails({n: np.tanh(2 * (gx * rng.normal() + gy * rng.normal())) for n in neurons})
    view.resize(1400, 440)
    view.fit()
    settle()
    bottom = view.grab()
    # weight-coloured wires and response thumbnails: both weight colours are on screen
    img = bottom.toImage()
    assert colour_share(img, style.POSITIVE) > 0.0005 and colour_share(img, style.NEGATIVE) > 0.0005
    both = QImage(top.width(), top.height() + bottom.height(), QImage.Format_RGB32)
    p = QPainter(both)
    p.drawPixmap(0, 0, top)
    p.drawPixmap(0, top.height(), bottom)
    p.end()
    assert both.save(str(tmp_path / "canvas.png"))
