"""``nnstudio bench`` runs and reports what it measured."""
from __future__ import annotations

import json

import pytest

from nnstudio.engine import bench


def test_bench_reports_rates_and_ratios_of_the_same_run(capsys, monkeypatch):
    monkeypatch.setattr(bench, "MIN_SECONDS", 0.05)
    calls = []
    real_rate = bench._rate

    def counting_rate(fn):
        calls.append(fn)
        return real_rate(fn)

    monkeypatch.setattr(bench, "_rate", counting_rate)
    assert bench.main(["--only", "tiny", "--json", "--threads", "1"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["optimizer"] for r in rows] == ["sgd", "adam"]
    torch_installed = rows[0]["torch"] is not None
    for r in rows:
        assert r["unit"] == "steps/s" and r["threads"] == 1
        assert r["nnstudio"] > 0
        if torch_installed:
            assert r["ratio_to_torch"] == pytest.approx(r["nnstudio"] / r["torch"], rel=0.02)
    assert rows[0]["numpy"] > 0 and rows[1]["numpy"] is None  # the reference has SGD only
    # nnstudio and PyTorch take turns: ROUNDS rounds each, plus one NumPy measurement per sgd row
    engines = 2 if torch_installed else 1
    assert len(calls) == 2 * bench.ROUNDS * engines + 1
