"""``nnstudio bench gui`` runs end to end and reports what it measured (figures are not asserted)."""
from __future__ import annotations

import json
import os
import subprocess
import sys


def test_bench_gui_reports_throughput_latency_and_redraws(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "nnstudio", "bench", "gui", "--seconds", "2", "--json"],
                         capture_output=True, text=True, timeout=300, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["project"] == "digits-mlp"
    assert result["headless_samples_per_s"] > 0 and result["gui_samples_per_s"] > 0
    assert result["gui_to_headless_ratio"] == result["gui_samples_per_s"] / result["headless_samples_per_s"]
    assert result["view_redraws_per_s"] > 0  # the views really drew while training ran (after settling)
    assert 0 <= result["ui_latency_p50_ms"] <= result["ui_latency_p99_ms"] <= result["ui_latency_max_ms"]
    # where the window's cost goes: shares of the wall clock, and with views open both are spent
    assert 0 < result["snapshot_share"] < 1 and 0 < result["gui_cpu_share"] < 2
