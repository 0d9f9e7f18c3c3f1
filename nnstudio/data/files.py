"""Reading user files safely: clear messages, fingerprints to notice changed files."""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from nnstudio.errors import DataError


def read_bytes(path: str | Path, what: str = "file") -> bytes:
    p = Path(path)
    if not p.exists():
        raise DataError(f"{p.name}: the {what} was not found at {p}")
    if p.is_dir():
        raise DataError(f"{p.name}: is a folder, not a {what}")
    try:
        return p.read_bytes()
    except OSError as exc:
        raise DataError(f"{p.name}: cannot be read ({exc.strerror or exc})") from None


def fingerprint(path: str | Path) -> dict[str, Any]:
    """Size and a hash of the first megabyte: enough to notice that a file changed."""
    p = Path(path)
    try:
        if p.is_dir():
            names = sorted(str(f.relative_to(p)) for f in p.rglob("*") if f.is_file())
            return {"files": len(names), "sha1": hashlib.sha1("\n".join(names).encode()).hexdigest()}
        with p.open("rb") as f:
            head = f.read(1 << 20)
        return {"size": p.stat().st_size, "sha1": hashlib.sha1(head).hexdigest()}
    except OSError:
        return {}
