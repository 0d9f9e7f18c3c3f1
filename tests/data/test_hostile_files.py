"""Hostile data files (issue 16): bombs, lying headers, special files and odd settings end in DataError.

Limits are lowered with monkeypatch so the bombs stay small; tracemalloc checks that
nothing near the bomb's expanded size is ever allocated.
"""
from __future__ import annotations

import gzip
import io
import os
import struct
import threading
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest

import nnstudio.data as D
from nnstudio.data import files, images
from nnstudio.errors import DataError

MB = 1024 ** 2


def _peak_mb(fn) -> float:
    """Peak Python-traced memory (MB) while ``fn`` runs (numpy allocations are traced too)."""
    tracemalloc.start()
    try:
        fn()
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak / MB


def _refuses(fn, *fragments: str) -> str:
    with pytest.raises(DataError) as info:
        fn()
    for f in fragments:
        assert f in str(info.value)
    return str(info.value)


# --- IDX ------------------------------------------------------------------------------------------

def _idx(dims: tuple[int, ...], body: bytes, type_code: int = 0x08) -> bytes:
    return bytes([0, 0, type_code, len(dims)]) + struct.pack(f">{len(dims)}I", *dims) + body


def test_idx_header_whose_sizes_overflow_is_refused(tmp_path):
    # 4 x (2**32 - 1) wraps to a small number in int64 arithmetic; the old check then passed
    path = tmp_path / "x.idx"
    dims = (65536, 65536, 65536, 65536)  # product 2**64: wraps to 0 in int64, so an empty body "matched"
    path.write_bytes(_idx(dims, b""))
    _refuses(lambda: D.read_idx(path), "x.idx", "the header promises 65536x65536x65536x65536 values")


def test_idx_header_that_exceeds_the_file_is_refused(tmp_path):
    path = tmp_path / "x.idx"
    path.write_bytes(_idx((1000, 28, 28), b"\0" * 100))
    _refuses(lambda: D.read_idx(path), "the header promises 1000x28x28 values but the file holds 100")


def test_idx_gzip_bomb_stops_at_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "MAX_ARRAY_BYTES", 4 * MB)
    n = 64 * MB
    path = tmp_path / "bomb-images.idx.gz"
    path.write_bytes(gzip.compress(_idx((n // 784, 28, 28), bytes(n)), 9))
    assert path.stat().st_size < MB
    peak = _peak_mb(lambda: _refuses(lambda: D.read_idx(path), "expands to more than"))
    assert peak < 16, f"{peak:.0f} MB allocated for a refused bomb"


def test_idx_values_that_become_too_many_floats_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "MAX_ARRAY_BYTES", MB)
    path = tmp_path / "x.idx"
    path.write_bytes(_idx((1000, 28, 28), bytes(784_000)))  # 0.8 MB of bytes -> 3 MB of float32
    _refuses(lambda: D.read_idx(path), "x.idx", "GB of memory")


def test_damaged_gzip_is_refused(tmp_path):
    path = tmp_path / "x.idx.gz"
    data = bytearray(gzip.compress(_idx((10, 2, 2), bytes(40))))
    path.write_bytes(bytes(data[:-12]))
    _refuses(lambda: D.read_idx(path), "x.idx.gz")


# --- NPZ ------------------------------------------------------------------------------------------

def _npz_bytes(**arrays) -> bytes:
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def test_npz_deflate_bomb_is_refused_before_decompressing(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "MAX_ARRAY_BYTES", 4 * MB)
    path = tmp_path / "bomb.npz"
    path.write_bytes(_npz_bytes(X=np.zeros((64 * MB // 8,)), y=np.zeros(8 * MB, np.int8)))
    assert path.stat().st_size < 2 * MB
    peak = _peak_mb(lambda: _refuses(lambda: D.load_npz(path), "bomb.npz", "the limit is 4.0 MB"))
    assert peak < 16, f"{peak:.0f} MB allocated for a refused bomb"


def test_npz_header_that_lies_about_the_shape_is_refused_before_allocating(tmp_path):
    header = np.lib.format.header_data_from_array_1_0(np.zeros(1))
    header["shape"] = (10 ** 11,)  # 800 GB of float64 from a tiny member
    member = io.BytesIO()
    np.lib.format.write_array_header_1_0(member, header)
    member.write(bytes(64))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("X.npy", member.getvalue())
        zf.writestr("y.npy", member.getvalue())
    path = tmp_path / "liar.npz"
    path.write_bytes(buf.getvalue())
    peak = _peak_mb(lambda: _refuses(lambda: D.load_npz(path), "claims shape (100000000000,)"))
    assert peak < 16


@pytest.mark.parametrize("content,fragment", [
    (b"", "not a readable .npz archive"),
    (b"PK\x03\x04garbage", "not a readable .npz archive"),
])
def test_npz_that_is_not_a_zip_is_refused(tmp_path, content, fragment):
    path = tmp_path / "d.npz"
    path.write_bytes(content)
    _refuses(lambda: D.load_npz(path), "d.npz", fragment)


def test_plain_npy_passed_as_npz_is_refused(tmp_path):
    path = tmp_path / "d.npz"
    np.save(path.with_suffix(".npy"), np.zeros(3))
    path.write_bytes(path.with_suffix(".npy").read_bytes())
    _refuses(lambda: D.load_npz(path), "not a readable .npz archive")


@pytest.mark.parametrize("X,y,fragment", [
    (np.float64(3.0), np.zeros(1), "not single values"),
    (np.zeros((4, 2), np.complex64), np.zeros(4, np.int64), "must be numbers"),
    (np.full((4, 2), 1e300), np.zeros(4, np.int64), "too large for float32"),
    (np.zeros((4, 0)), np.zeros(4, np.int64), "the inputs are empty"),
    (np.zeros((4, 2)), np.array([0.5, np.nan, 1, 2]), "NaN or infinite"),
    (np.zeros((4, 2)), np.zeros((4, 2, 2)), "at most 4 dimensions"),
])
def test_npz_arrays_of_odd_shapes_and_values_are_refused(tmp_path, X, y, fragment):
    path = tmp_path / "d.npz"
    np.savez(path, X=X, y=y)
    _refuses(lambda: D.load_npz(path), fragment)


# --- special files --------------------------------------------------------------------------------

def _returns_promptly(fn) -> None:
    """Run ``fn`` in a thread; it must finish (a FIFO read would block forever)."""
    result: dict = {}

    def run():
        try:
            fn()
        except BaseException as exc:  # noqa: BLE001 - reported below
            result["exc"] = exc
    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(60)
    assert not t.is_alive(), "the loader blocked on a special file"
    assert isinstance(result.get("exc"), DataError), result.get("exc")
    assert "not a regular file" in str(result["exc"])


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
@pytest.mark.parametrize("loader", ["npz", "idx", "csv"])
def test_dev_zero_as_a_data_path_is_refused_before_reading(loader):
    fn = {"npz": lambda: D.load_npz("/dev/zero"), "idx": lambda: D.read_idx("/dev/zero"),
          "csv": lambda: D.load_csv("/dev/zero")}[loader]
    _returns_promptly(fn)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_as_a_data_path_is_refused_before_reading(tmp_path):
    fifo = tmp_path / "data.npz"
    os.mkfifo(fifo)
    _returns_promptly(lambda: D.load_npz(fifo))
    _returns_promptly(lambda: D.load_from_spec({"source": "npz", "path": "data.npz"}, tmp_path))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_in_an_image_folder_is_not_opened(tmp_path):
    from PIL import Image

    for cls in ("a", "b"):
        (tmp_path / cls).mkdir()
        Image.new("L", (4, 4), 128).save(tmp_path / cls / "ok.png")
    os.mkfifo(tmp_path / "a" / "stuck.png")
    done = []
    t = threading.Thread(target=lambda: done.append(D.load_image_folder(tmp_path, size=(4, 4))), daemon=True)
    t.start()
    t.join(60)
    assert done and done[0].n == 2


# --- images ---------------------------------------------------------------------------------------

def _png_claiming(width: int, height: int) -> bytes:
    """A tiny valid PNG whose header is rewritten to claim ``width`` x ``height`` pixels."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (8, 8), 0).save(buf, "PNG")
    data = bytearray(buf.getvalue())
    ihdr = data.index(b"IHDR")
    data[ihdr + 4:ihdr + 12] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[ihdr:ihdr + 17])) & 0xFFFFFFFF
    data[ihdr + 17:ihdr + 21] = struct.pack(">I", crc)
    return bytes(data)


def _image_folder(tmp_path: Path, bad: bytes) -> Path:
    from PIL import Image

    root = tmp_path / "imgs"
    for cls in ("cat", "dog"):
        (root / cls).mkdir(parents=True)
        Image.new("L", (6, 6), 200).save(root / cls / "fine.png")
    (root / "cat" / "bomb.png").write_bytes(bad)
    return root


@pytest.mark.parametrize("side", [7_000, 20_000, 60_000])
def test_decompression_bombs_are_skipped_not_decoded(tmp_path, side):
    # 49M pixels (over our limit), 400M (over PIL's error limit), 3.6G pixels
    root = _image_folder(tmp_path, _png_claiming(side, side))
    peak = _peak_mb(lambda: _check_skipped(root))
    assert peak < 32


def _check_skipped(root: Path) -> None:
    ds = D.load_image_folder(root, size=(6, 6))
    assert ds.n == 2
    assert len(ds.skipped) == 1 and ds.skipped[0].startswith("cat/bomb.png")


def test_pil_bomb_warning_is_a_skip_not_a_warning(tmp_path, monkeypatch):
    from PIL import Image

    # our own limit out of the way: PIL's warning (raised as an error in tests) must be caught too
    monkeypatch.setattr(images, "MAX_IMAGE_PIXELS", 10 ** 12)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    root = _image_folder(tmp_path, _png_claiming(40, 40))  # 1,600 pixels: between PIL's limit and twice it
    ds = D.load_image_folder(root, size=(6, 6))
    assert ds.n == 2 and "DecompressionBomb" in ds.skipped[0]


def test_image_folder_total_is_checked_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "MAX_ARRAY_BYTES", 1000)
    root = _image_folder(tmp_path, _png_claiming(8, 8))
    _refuses(lambda: D.load_image_folder(root, size=(64, 64)), "3 images of 64x64", "GB of memory")


@pytest.mark.parametrize("size", [(0, 5), (5, 10 ** 9), "28", (1.5, 2), None])
def test_bad_image_sizes_are_refused(tmp_path, size):
    root = _image_folder(tmp_path, _png_claiming(8, 8))
    _refuses(lambda: D.load_image_folder(root, size=size), "image size")


# --- toy sizes and settings -----------------------------------------------------------------------

@pytest.mark.parametrize("kwargs,fragment", [
    ({"n": 10 ** 12}, "at most 1,000,000 points"),
    ({"n": True}, "at least 4 points"),
    ({"seed": -1}, "the seed must be a whole number from 0"),
    ({"seed": "x"}, "the seed must be"),
    ({"val_ratio": float("nan")}, "the validation share"),
    ({"val_ratio": "0.2"}, "the validation share"),
    ({"noise": float("inf")}, "noise must be"),
    ({"noise": "loud"}, "noise must be"),
    ({"features": "x1"}, "features must be a list"),
    ({"features": [1, 2]}, "features must be a list"),
    ({"name": ["circle"]}, "name must be text"),
])
def test_toy_settings_out_of_range_are_refused(kwargs, fragment):
    args = {"name": "circle", **kwargs}
    _refuses(lambda: D.toy(**args), fragment)


@pytest.mark.parametrize("spec,fragment", [
    ({"source": "npz", "path": 5}, "bad 'path': 5"),
    ({"source": "npz", "path": ""}, "bad 'path'"),
    ({"source": "idx", "images": None, "labels": "l"}, "bad 'images'"),
    ({"source": 3}, "data source must be text"),
    ({"source": "toy", "name": "circle", "bogus": 1}, "has a bad setting"),
    ({"source": "toy", "name": "circle", "n": 10 ** 30}, "at most 1,000,000 points"),
    ({"source": "images", "path": ".", "size": 28}, "image size"),
])
def test_bad_data_descriptions_are_refused(tmp_path, spec, fragment):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    _refuses(lambda: D.load_from_spec(spec, tmp_path), fragment)


# --- paths outside the project folder -------------------------------------------------------------

def test_paths_outside_the_project_folder_are_reported(tmp_path):
    project = tmp_path / "proj"
    (project / "data").mkdir(parents=True)
    (tmp_path / "elsewhere.csv").write_text("a,b\n1,2\n")
    (project / "data" / "link.csv").symlink_to(tmp_path / "elsewhere.csv")
    inside = {"source": "csv", "path": "data/x.csv"}
    assert D.paths_outside(inside, project) == [] and not D.reads_outside(inside, project)
    outside = {"source": "csv", "path": "../elsewhere.csv"}
    assert D.paths_outside(outside, project) == [project / "../elsewhere.csv"]
    assert D.reads_outside({"source": "csv", "path": "/etc/passwd"}, project)
    assert D.reads_outside({"source": "csv", "path": "data/link.csv"}, project)  # a symlink out counts
    assert D.reads_outside({"source": "idx", "images": "data/i", "labels": "/tmp/l"}, project)
    assert D.reads_outside({"source": "csv", "path": 7}, project)  # nonsense counts as outside
    assert not D.reads_outside({"source": "toy", "name": "xor"}, project)
    assert D.data_paths({"source": "npz", "path": "d.npz"}, project) == [project / "d.npz"]
