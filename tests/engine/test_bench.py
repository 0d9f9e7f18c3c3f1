"""``nnstudio bench`` runs and reports what it measured."""
from __future__ import annotations

import json

import pytest

from nnstudio.engine import bench, bench_system


def _rows(out: str) -> tuple[dict, list[dict]]:
    lines = [json.loads(line) for line in out.splitlines()]
    assert "system" in lines[0]
    return lines[0]["system"], [r for r in lines[1:] if "case" in r]


def test_bench_reports_rates_and_ratios_of_the_same_run(capsys, monkeypatch):
    monkeypatch.setattr(bench, "MIN_SECONDS", 0.05)
    monkeypatch.setattr(bench, "ROUNDS", 2)  # taking turns, and quick on a busy machine
    calls = []
    real_rate = bench._rate

    def counting_rate(fn):
        calls.append(fn)
        return real_rate(fn)

    monkeypatch.setattr(bench, "_rate", counting_rate)
    assert bench.main(["--only", "tiny", "--json", "--threads", "1"]) == 0
    _, rows = _rows(capsys.readouterr().out)
    assert [r["optimizer"] for r in rows] == ["sgd", "adam"]
    torch_installed = rows[0]["torch"] is not None
    for r in rows:
        assert r["unit"] == "steps/s" and r["threads"] == 1
        assert r["nnstudio"] > 0
        if torch_installed:
            assert r["ratio_to_torch"] == pytest.approx(r["nnstudio"] / r["torch"], rel=0.02)
    assert rows[0]["numpy"] > 0 and rows[1]["numpy"] is None  # the reference has SGD only
    # nnstudio and each PyTorch setting take turns: ROUNDS rounds each, plus one NumPy measurement per sgd row
    torch_runs = sum(len(r["torch_configs"]) for r in rows)
    assert len(calls) == bench.ROUNDS * (2 + torch_runs) + 1


def test_pytorch_is_compared_at_its_default_and_at_its_best_one_argument_setting(capsys, monkeypatch):
    pytest.importorskip("torch")
    monkeypatch.setattr(bench, "MIN_SECONDS", 0.05)
    monkeypatch.setattr(bench, "ROUNDS", 1)
    assert bench.main(["--only", "tiny", "--json"]) == 0
    system, rows = _rows(capsys.readouterr().out)
    for r in rows:
        configs = r["torch_configs"]
        assert "default" in configs and "foreach" in configs  # foreach exists on every PyTorch 2
        assert r["torch"] == configs["default"]
        assert r["torch_best"] == max(configs.values())
        assert configs[r["torch_best_config"]] == r["torch_best"]
        assert r["ratio_to_torch_best"] == pytest.approx(r["nnstudio"] / r["torch_best"], rel=0.02)
        assert r["ratio_to_torch_best"] <= r["ratio_to_torch"] + 0.01
    assert system["torch"]["blas"] and system["torch"]["threads"] == 1


def test_the_system_report_names_cpu_blas_and_threads(capsys, monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    rep = bench_system.system_report()
    assert rep["cpu"] and rep["cores"] >= 1
    assert rep["numpy_blas"] and rep["numpy_blas"] != "unknown"
    assert rep["env"]["OMP_NUM_THREADS"] == "1"
    assert rep["numba"]["threads"] >= 1
    text = bench_system.format_report(rep)
    assert rep["cpu"] in text and rep["numpy_blas"] in text and "OMP_NUM_THREADS=1" in text
    assert all(line.startswith("#") for line in text.splitlines())


def test_the_table_shows_pytorch_default_and_best_beside_nnstudio():
    row = {"case": "c", "optimizer": "adam", "unit": "steps/s", "nnstudio": 1000.0, "numpy": None,
           "torch": 10.0, "ratio_to_torch": 100.0, "torch_best": 20.0, "torch_best_config": "fused",
           "ratio_to_torch_best": 50.0}
    line = bench.format_row(row)
    assert "10 (default)" in line and "20 (fused)" in line and "100.00x default" in line and "50.00x best" in line
    assert "PyTorch not installed" in bench.format_row({**row, "torch": None})
