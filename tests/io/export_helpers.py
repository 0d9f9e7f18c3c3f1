"""Helpers of the exporter tests: importing an exported script."""
from __future__ import annotations

import importlib.util
import itertools
import sys
from pathlib import Path
from types import ModuleType

_counter = itertools.count()


def load_script(path: Path) -> ModuleType:
    """Import an exported PyTorch script as a module (without running its main())."""
    name = f"exported_{path.stem}_{next(_counter)}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look modules up by name
    spec.loader.exec_module(module)
    return module
