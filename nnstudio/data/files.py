"""Reading user files safely: clear messages, size limits, fingerprints to notice changed files."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from nnstudio import safe_read
from nnstudio.errors import DataError

#: Largest data file read into memory, and largest array a loader builds (bytes); tests lower them.
MAX_FILE_BYTES = 2 * 1024 ** 3
MAX_ARRAY_BYTES = 2 * 1024 ** 3
#: Image folders: most files in the class folders, and most files a fingerprint lists.
MAX_FILES = 200_000


def check_file(path: str | Path, what: str = "file") -> os.stat_result:
    """``stat`` of a regular file, refusing folders, devices, FIFOs and sockets before anything opens them."""
    p = Path(path)
    try:
        return safe_read.check_regular_file(p)
    except FileNotFoundError:
        raise DataError(f"{p.name}: the {what} was not found at {p}") from None
    except safe_read.UnsafeInput as exc:
        raise DataError(f"{p.name}: {exc} (at {p})") from None
    except OSError as exc:
        raise DataError(f"{p.name}: cannot be read ({exc.strerror or exc})") from None


def read_bytes(path: str | Path, what: str = "file") -> bytes:
    """The bytes of a regular file of at most :data:`MAX_FILE_BYTES`; DataError otherwise."""
    p = Path(path)
    check_file(p, what)
    try:
        return safe_read.read_regular_file(p, MAX_FILE_BYTES)
    except safe_read.UnsafeInput as exc:
        raise DataError(f"{p.name}: the {what} {exc}") from None
    except OSError as exc:
        raise DataError(f"{p.name}: cannot be read ({exc.strerror or exc})") from None


def check_allocation(nbytes: int, name: str, what: str) -> None:
    """Refuse to build an array of ``nbytes`` above :data:`MAX_ARRAY_BYTES` (before allocating it)."""
    if nbytes > MAX_ARRAY_BYTES:
        raise DataError(f"{name}: {what} would need {nbytes / 1024 ** 3:.1f} GB of memory; the limit is "
                        f"{MAX_ARRAY_BYTES / 1024 ** 3:.1f} GB - use a smaller dataset")


def fingerprint(path: str | Path) -> dict[str, Any]:
    """Size and a hash of the first megabyte: enough to notice that a file changed.

    A folder (of class sub-folders) is fingerprinted by the names of the files two levels down,
    which are the ones the image loader reads; special files give an empty fingerprint.
    """
    p = Path(path)
    try:
        if p.is_dir():
            names = []
            for sub in sorted(p.iterdir()):
                if sub.is_dir():
                    names.extend(str(f.relative_to(p)) for f in sorted(sub.iterdir()) if f.is_file())
                elif sub.is_file():
                    names.append(sub.name)
                if len(names) > MAX_FILES:
                    return {}
            names.sort()
            return {"files": len(names), "sha1": hashlib.sha1("\n".join(names).encode()).hexdigest()}
        st = safe_read.check_regular_file(p)
        with p.open("rb") as f:
            head = f.read(1 << 20)
        return {"size": st.st_size, "sha1": hashlib.sha1(head).hexdigest()}
    except (OSError, safe_read.UnsafeInput):
        return {}
