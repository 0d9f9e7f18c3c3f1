"""The adding-lstm example opens in the window: the data preview draws its sequences and the
canvas labels the LSTM by its settings."""
from __future__ import annotations

from pathlib import Path

import numpy as np

import nnstudio

EXAMPLE = Path(nnstudio.__file__).parent / "resources" / "examples" / "adding-lstm.nnstudio"


def test_adding_example_opens_and_previews_its_sequences(window, qtbot):
    assert window.open_path(EXAMPLE, ask=False)
    panel = window.data_panel
    assert panel.preview.currentWidget() is panel.sequences
    preview = panel.sequences
    assert preview.stack.currentWidget() is preview.plot and "Dots mark the two values to add" in preview.caption.text()
    curves = [c for c in preview.plot.getPlotItem().listDataItems() if len(c.getData()[0]) == 50]
    assert curves  # one 50-step line per shown sequence
    ds = panel.dataset
    np.testing.assert_allclose(curves[0].getData()[1], ds.X_train[0, :, 0], rtol=1e-6)
    from nnstudio.ui.canvas.items import key_params_text

    lstm = window.project.graph.nodes_of_kind("LSTM")[0]
    assert key_params_text(lstm) == "hidden 16, last step"
    window.project.graph.set_param(lstm.id, "bidirectional", True)
    window.project.graph.set_param(lstm.id, "num_layers", 2)
    window.project.graph.set_param(lstm.id, "return_sequences", True)
    assert key_params_text(window.project.graph.nodes[lstm.id]) == "hidden 16, 2 layers, both ways, every step"
