"""What a benchmark ran on: CPU model, the BLAS libraries numpy, the engine and PyTorch use,
thread counts and OpenMP settings - printed above the figures so two runs can be compared fairly.

Everything here only reads; a missing piece (no PyTorch, no /proc/cpuinfo) reads as "unknown".
"""
from __future__ import annotations

import contextlib
import io
import os
import platform
import re
import sys
from typing import Any

#: Environment variables that change how many threads the libraries start and how they wait.
THREAD_ENV = ("OMP_NUM_THREADS", "OMP_WAIT_POLICY", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
              "NUMBA_NUM_THREADS", "NUMBA_THREADING_LAYER", "KMP_BLOCKTIME", "GOMP_SPINCOUNT")


def cpu_model() -> str:
    """The CPU's marketing name from /proc/cpuinfo (Linux), else what ``platform`` knows."""
    with contextlib.suppress(OSError):
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine() or "unknown"


def numpy_blas() -> str:
    """The BLAS numpy was built against, from ``np.show_config``."""
    import numpy as np

    with contextlib.suppress(Exception):  # the dict form exists from numpy 1.25 on
        deps = np.show_config(mode="dicts")["Build Dependencies"]  # type: ignore[index]
        blas = deps.get("blas", {})
        return f"{blas.get('name', 'unknown')} {blas.get('version', '')}".strip()
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        np.show_config()
    return buf.getvalue().strip().splitlines()[0] if buf.getvalue().strip() else "unknown"


def loaded_blas() -> list[dict[str, Any]]:
    """Every BLAS/OpenMP library loaded in this process with its thread count (threadpoolctl)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return []
    rows = []
    for lib in threadpool_info():
        rows.append({"library": lib.get("internal_api", "?"), "threads": lib.get("num_threads"),
                     "version": lib.get("version"), "path": os.path.basename(str(lib.get("filepath", "")))})
    return rows


def torch_config() -> dict[str, Any] | None:
    """PyTorch's version, BLAS and threads (``torch.__config__``), or None when it is not loaded.

    Only reads an already imported PyTorch: importing it here would fix OpenMP's settings
    before the bench chose them.
    """
    torch = sys.modules.get("torch")
    if torch is None:
        return None
    shown = torch.__config__.show()
    found = re.search(r"BLAS_INFO=([\w.-]+)", shown)
    blas = found.group(1) if found else "unknown"
    libs = [line.strip(" -") for line in shown.splitlines() if "Math Kernel" in line or "OpenBLAS" in line
            or line.strip().startswith("- OpenMP")]
    return {"version": torch.__version__, "blas": blas, "libraries": libs,
            "threads": torch.get_num_threads(), "interop_threads": torch.get_num_interop_threads()}


def system_report() -> dict[str, Any]:
    """A plain dict of the machine and library settings (JSON-ready)."""
    import numpy as np

    rep: dict[str, Any] = {
        "cpu": cpu_model(), "cores": os.cpu_count(), "python": platform.python_version(),
        "numpy": np.__version__, "numpy_blas": numpy_blas(),
        "env": {k: os.environ.get(k) for k in THREAD_ENV if os.environ.get(k) is not None},
    }
    with contextlib.suppress(Exception):
        import numba

        from nnstudio.engine.threads import use_in_this_thread

        with use_in_this_thread():  # loads the threading layer the runs use
            pass
        rep["numba"] = {"version": numba.__version__, "threads": numba.get_num_threads(),
                        "layer": numba.threading_layer()}
    rep["blas_loaded"] = loaded_blas()
    rep["torch"] = torch_config()
    return rep


def format_report(rep: dict[str, Any]) -> str:
    """The report as a few ``#`` comment lines above the bench's table."""
    lines = [f"# CPU: {rep['cpu']} ({rep['cores']} logical cores); Python {rep['python']}",
             f"# numpy {rep['numpy']} built with BLAS {rep['numpy_blas']}"]
    nb = rep.get("numba")
    if nb:
        lines.append(f"# numba {nb['version']}: {nb['threads']} thread(s), threading layer {nb['layer']}")
    for lib in rep["blas_loaded"]:
        lines.append(f"#   loaded {lib['library']} {lib['version'] or ''} ({lib['path']}): {lib['threads']} thread(s)")
    t = rep.get("torch")
    if t:
        lines.append(f"# PyTorch {t['version']}: BLAS {t['blas']}, {t['threads']} thread(s), "
                     f"{t['interop_threads']} inter-op; " + "; ".join(t["libraries"]))
    else:
        lines.append("# PyTorch not installed")
    env = rep["env"]
    lines.append("# environment: " + (", ".join(f"{k}={v}" for k, v in env.items()) or "no thread settings"))
    return "\n".join(lines)
