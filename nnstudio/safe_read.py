"""Reading untrusted files and bytes with limits set before anything is allocated.

Shared by the data loaders and the project loader (both may receive hostile or
damaged files): only regular files are read (a FIFO blocks forever,
``/dev/zero`` never ends), reads are bounded, and compressed content (gzip,
the deflate inside ``.npz``) is checked against a limit on the decompressed
size before it is decompressed or an array is allocated.

Functions raise :class:`UnsafeInput` (a ``ValueError``) with a message that
reads as the end of a sentence about the file; callers put the file's name in
front and turn it into their own error type.
"""
from __future__ import annotations

import io
import math
import os
import stat
import zipfile
import zlib
from pathlib import Path

import numpy as np

#: Largest file read into memory, and largest decompressed content or array (bytes).
MAX_FILE_BYTES = 2 * 1024 ** 3
MAX_DECOMPRESSED_BYTES = 2 * 1024 ** 3


class UnsafeInput(ValueError):
    """A file or byte string that is refused before it is read or expanded."""


def _fmt_bytes(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return f"{n} bytes"  # pragma: no cover


def check_regular_file(path: str | os.PathLike[str]) -> os.stat_result:
    """``os.stat`` of ``path``, refusing devices, pipes, sockets and folders (never opens it)."""
    st = os.stat(path)
    if stat.S_ISDIR(st.st_mode):
        raise UnsafeInput("is a folder, not a file")
    if not stat.S_ISREG(st.st_mode):
        what = ("a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)
                else "a pipe (FIFO)" if stat.S_ISFIFO(st.st_mode)
                else "a socket" if stat.S_ISSOCK(st.st_mode) else "a special file")
        raise UnsafeInput(f"is {what}, not a regular file - choose a normal file")
    return st


def read_regular_file(path: str | os.PathLike[str], max_bytes: int | None = None) -> bytes:
    """The bytes of a regular file no larger than ``max_bytes`` (default :data:`MAX_FILE_BYTES`).

    Raises :class:`UnsafeInput` for special files and files over the limit, ``OSError`` when
    the file cannot be read.
    """
    limit = MAX_FILE_BYTES if max_bytes is None else max_bytes
    st = check_regular_file(path)
    if st.st_size > limit:
        raise UnsafeInput(f"is {_fmt_bytes(st.st_size)}; the limit is {_fmt_bytes(limit)}")
    # O_NONBLOCK: should the path have become a FIFO since the stat, opening does not hang
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise UnsafeInput("is not a regular file - choose a normal file")
        # read what stat announced (read(n) reserves n bytes up front), then whatever it grew by
        parts = [fh.read(st.st_size + 1)]
        size = len(parts[0])
        while size <= limit and len(parts[-1]):
            parts.append(fh.read(min(1 << 20, limit + 1 - size)))
            size += len(parts[-1])
        parts = [p for p in parts if p]
        # one part (the usual case) is returned as it is: joining it copied a 47 MB file once more
        data = parts[0] if len(parts) == 1 else b"".join(parts)
    if len(data) > limit:
        raise UnsafeInput(f"is larger than the limit of {_fmt_bytes(limit)}")
    return data


def gunzip(data: bytes, max_bytes: int | None = None) -> bytes:
    """Decompress gzip ``data`` (all members) to at most ``max_bytes``; raises UnsafeInput beyond it."""
    limit = MAX_DECOMPRESSED_BYTES if max_bytes is None else max_bytes
    out: list[bytes] = []
    size = 0
    rest = data
    while rest:
        d = zlib.decompressobj(wbits=31)
        try:
            chunk = d.decompress(rest, limit - size + 1)
        except zlib.error as exc:
            raise UnsafeInput(f"holds damaged gzip data ({exc})") from None
        size += len(chunk)
        if size > limit or d.unconsumed_tail:
            raise UnsafeInput(f"expands to more than {_fmt_bytes(limit)} when decompressed - it is refused")
        if not d.eof:
            raise UnsafeInput("holds gzip data that is cut short")
        out.append(chunk)
        rest = d.unused_data.lstrip(b"\x00")  # gzip allows zero padding after the last member
    return b"".join(out)


def npy_header(fh: io.BufferedIOBase | zipfile.ZipExtFile) -> tuple[tuple[int, ...], np.dtype]:
    """Shape and dtype of the ``.npy`` stream ``fh`` (positioned at its start)."""
    try:
        version = np.lib.format.read_magic(fh)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(fh)
        elif version in ((2, 0), (3, 0)):
            shape, _, dtype = np.lib.format.read_array_header_2_0(fh)
        else:
            raise UnsafeInput(f"has an unknown .npy version {version}")
    except UnsafeInput:
        raise
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error, SyntaxError, TypeError) as exc:
        raise UnsafeInput(f"holds a damaged array header ({str(exc)[:120]})") from None
    if dtype.hasobject:
        raise UnsafeInput("holds Python objects (pickles), which are never loaded (only numbers)")
    return tuple(int(d) for d in shape), dtype


def read_npz(data: bytes, names: list[str] | None = None, max_bytes: int | None = None) -> dict[str, np.ndarray]:
    """Arrays of the ``.npz`` (zip of ``.npy``) ``data``: all, or those in ``names``.

    Every array's size is worked out from its header and checked against the
    member's declared size and ``max_bytes`` (total) before any memory is
    allocated for it. Raises :class:`UnsafeInput` on damage or excess.
    """
    limit = MAX_DECOMPRESSED_BYTES if max_bytes is None else max_bytes
    if not data.startswith(b"PK"):
        raise UnsafeInput("is not a readable .npz archive (it is not a zip file)")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = {i.filename[:-4] if i.filename.endswith(".npy") else i.filename: i for i in zf.infolist()}
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise UnsafeInput(f"is not a readable .npz archive ({exc})") from None
    wanted = list(infos) if names is None else names
    total = 0
    out: dict[str, np.ndarray] = {}
    for key in wanted:
        info = infos[key]
        if info.file_size > limit - total:
            raise UnsafeInput(f"array {key!r} expands to {_fmt_bytes(info.file_size)}; the limit is "
                              f"{_fmt_bytes(limit)} - it is refused")
        try:
            with zf.open(info) as fh:
                shape, dtype = npy_header(fh)
            nbytes = math.prod(shape) * dtype.itemsize
            if nbytes > info.file_size or nbytes > limit - total:
                raise UnsafeInput(f"array {key!r} claims shape {shape} ({_fmt_bytes(nbytes)}) but holds "
                                  f"{_fmt_bytes(info.file_size)} - it is damaged or too large")
            with zf.open(info) as fh:
                out[key] = np.lib.format.read_array(fh, allow_pickle=False)
        except UnsafeInput:
            raise
        except (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error, NotImplementedError,
                RuntimeError, OverflowError) as exc:
            # RuntimeError: encrypted members; NotImplementedError: unknown compression
            raise UnsafeInput(f"array {key!r} is damaged ({str(exc)[:120]})") from None
        total += nbytes
    return out


def npz_names(data: bytes) -> list[str]:
    """Array names in ``.npz`` data (without reading the arrays)."""
    if not data.startswith(b"PK"):
        raise UnsafeInput("is not a readable .npz archive (it is not a zip file)")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return [n[:-4] if n.endswith(".npy") else n for n in zf.namelist()]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise UnsafeInput(f"is not a readable .npz archive ({exc})") from None


def is_inside(path: str | os.PathLike[str], folder: str | os.PathLike[str]) -> bool:
    """Whether ``path`` (symlinks resolved) lies inside ``folder``."""
    try:
        Path(path).resolve().relative_to(Path(folder).resolve())
    except (ValueError, OSError, RuntimeError):
        return False
    return True
