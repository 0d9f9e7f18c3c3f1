"""The adding-lstm example opens in the window: the data preview shows its sequences
(flattened) and the canvas labels the LSTM by its settings."""
from __future__ import annotations

from pathlib import Path

import nnstudio

EXAMPLE = Path(nnstudio.__file__).parent / "resources" / "examples" / "adding-lstm.nnstudio"


def test_adding_example_opens_and_previews_its_sequences(window, qtbot):
    assert window.open_path(EXAMPLE, ask=False)
    table = window.data_panel.table
    assert table.rowCount() == 10 and table.columnCount() == 20  # 50 steps x 2 values: the first 20
    assert table.horizontalHeaderItem(0).text() == "x1"
    # channel 1 of the adding problem holds the 0/1 markers: every odd column is 0 or 1
    assert {table.item(r, 1).text() for r in range(10)} <= {"0", "1"}
    from nnstudio.ui.canvas.items import key_params_text

    lstm = window.project.graph.nodes_of_kind("LSTM")[0]
    assert key_params_text(lstm) == "hidden 16, last step"
    window.project.graph.set_param(lstm.id, "bidirectional", True)
    window.project.graph.set_param(lstm.id, "num_layers", 2)
    window.project.graph.set_param(lstm.id, "return_sequences", True)
    assert key_params_text(window.project.graph.nodes[lstm.id]) == "hidden 16, 2 layers, both ways, every step"
