"""Data-loader fuzzer: damaged NPZ, IDX (plain and gzip) and image files, and data descriptions
with extreme values, must end in a DataError (or another NNStudioError) or in a consistent
dataset - never a traceback, a hang or a memory blow-up.

As in the project fuzzer, hypothesis draws seeds (derandomized, reproducible in CI) and each
example checks a batch of mutants; limits are lowered so that bombs stay cheap.
"""
from __future__ import annotations

import contextlib
import gzip
import io
import os
import random
import struct
import sys
import tempfile
from pathlib import Path
from typing import Any, Iterator
from unittest import mock

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nnstudio.data as D
from nnstudio.data import files
from nnstudio.errors import NNStudioError
from tests.fuzzing import MB, MemoryBound, time_limit
from tests.io.test_project_fuzz import SCALARS, byte_mutant, nasty

BATCH = 8
TRACE_EVERY = 4
CASE_SECONDS = 10
CASE_MB = 96
FUZZ = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SEEDS = st.integers(0, 2 ** 32 - 1)
toy = sys.modules["nnstudio.data.toy"]  # the package's name ``toy`` is the function


@contextlib.contextmanager
def small_limits() -> Iterator[None]:
    with mock.patch.object(files, "MAX_ARRAY_BYTES", 32 * MB), mock.patch.object(toy, "MAX_POINTS", 4000):
        yield


def _consistent(ds: Any) -> None:
    """What every loaded dataset promises the engine."""
    assert ds.X_train.dtype == np.float32 and ds.X_train.flags.c_contiguous
    assert len(ds.X_train) == len(ds.y_train) and len(ds.X_val) == len(ds.y_val) and ds.n >= 1
    assert ds.X_train.shape[1:] == tuple(ds.input_shape)
    assert np.isfinite(ds.X_train).all() and np.isfinite(ds.X_val).all()
    if ds.task == "classification":
        assert ds.y_train.dtype == np.int64
        assert ds.y_train.size == 0 or 0 <= ds.y_train.min() and ds.y_train.max() < ds.n_classes
    else:
        assert np.isfinite(ds.y_train).all()


def _run(label: str, seed: int, one, outcomes: dict, bound: MemoryBound) -> None:
    rng = random.Random(seed)
    for i in range(BATCH):
        with time_limit(CASE_SECONDS), bound.case(trace=i % TRACE_EVERY == 0):
            try:
                ds, done = one(rng)
            except NNStudioError:
                outcomes["refused"] += 1
                continue
            except BaseException as exc:
                raise AssertionError(f"{label} mutant {i} of seed {seed}") from exc
            try:
                _consistent(ds)
            except BaseException as exc:
                raise AssertionError(f"{label} mutant {i} of seed {seed}: {done}") from exc
            outcomes["loaded"] += 1


def _npz(compressed: bool) -> bytes:
    rng = np.random.default_rng(0)
    buf = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(
        buf, X=rng.normal(size=(40, 3)).astype(np.float32), y=rng.integers(0, 3, 40))
    return buf.getvalue()


NPZ = [_npz(True), _npz(False)]


def _idx(dims: tuple[int, ...], body: bytes) -> bytes:
    return bytes([0, 0, 0x08, len(dims)]) + struct.pack(f">{len(dims)}I", *dims) + body


IDX_IMAGES = _idx((20, 4, 4), bytes(range(256)) * 1 + bytes(64))
IDX_LABELS = _idx((20,), bytes(i % 3 for i in range(20)))


def test_npz_mutants(tmp_path):
    outcomes = {"refused": 0, "loaded": 0}
    path = tmp_path / "d.npz"

    def one(rng):
        raw, done = byte_mutant(rng.choice(NPZ), rng)
        path.write_bytes(raw)
        return D.load_npz(path), done

    @FUZZ
    @given(seed=SEEDS)
    def case(seed):
        _run("npz", seed, one, outcomes, bound)

    with small_limits(), MemoryBound(CASE_MB) as bound:
        case()
    assert outcomes["refused"] > 100 and outcomes["loaded"] > 10, outcomes


def test_idx_mutants(tmp_path):
    outcomes = {"refused": 0, "loaded": 0}
    images, labels = tmp_path / "images.idx", tmp_path / "labels.idx"

    def one(rng):
        which = rng.random()
        img, done = byte_mutant(IDX_IMAGES, rng) if which < 0.6 else (IDX_IMAGES, [])
        lab, done2 = byte_mutant(IDX_LABELS, rng) if which > 0.4 else (IDX_LABELS, [])
        if rng.random() < 0.4:  # damage inside or around the gzip stream
            img, done3 = byte_mutant(gzip.compress(img), rng) if rng.random() < 0.5 else (gzip.compress(img), [])
            done = done + ["gzip"] + done3
        images.write_bytes(img)
        labels.write_bytes(lab)
        return D.load_idx(images, labels), done + done2

    @FUZZ
    @given(seed=SEEDS)
    def case(seed):
        _run("idx", seed, one, outcomes, bound)

    with small_limits(), MemoryBound(CASE_MB) as bound:
        case()
    assert outcomes["refused"] > 100 and outcomes["loaded"] > 10, outcomes


def _images() -> dict[str, bytes]:
    from PIL import Image

    out = {}
    im = Image.new("RGB", (9, 7), (10, 200, 30))
    for fmt, ext in (("PNG", ".png"), ("BMP", ".bmp"), ("JPEG", ".jpg")):
        buf = io.BytesIO()
        im.save(buf, fmt)
        out[ext] = buf.getvalue()
    return out


def test_image_folder_mutants():
    images = _images()
    outcomes = {"refused": 0, "loaded": 0}
    skipped = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for cls in ("a", "b"):
            (root / cls).mkdir()
            (root / cls / "good.png").write_bytes(images[".png"])

        def one(rng):
            ext = rng.choice(sorted(images))
            raw, done = byte_mutant(images[ext], rng)
            for old in (root / "a").glob("bad.*"):
                old.unlink()
            (root / "a" / f"bad{ext}").write_bytes(raw)
            ds = D.load_image_folder(root, size=(rng.randint(1, 12), rng.randint(1, 12)),
                                     color=rng.choice(["grayscale", "rgb"]))
            skipped.append(len(ds.skipped))
            return ds, done + [ext]

        @settings(FUZZ, max_examples=40)
        @given(seed=SEEDS)
        def case(seed):
            _run("images", seed, one, outcomes, bound)

        with small_limits(), MemoryBound(CASE_MB) as bound:
            case()
    assert outcomes["loaded"] > 100 and sum(skipped) > 20, (outcomes, sum(skipped))


TOY_KEYS = ["name", "n", "noise", "seed", "val_ratio", "features"]
EXTREME = [0, 1, 3, 4, 5, 10 ** 6, 10 ** 30, -1, -10 ** 30, 2 ** 63, 2 ** 64, 0.999999, 1.0, 1e-300, 5.0, 5.000001,
           float("nan"), float("inf"), -float("inf"), True, None, "", "x1", ["x1"], ["x1", "sin(x2)"], [], {}]


def _toy_spec(rng: random.Random, paths: list[str]) -> dict[str, Any]:
    spec: dict[str, Any] = {"source": "toy", "name": rng.choice(D.NAMES)}
    if rng.random() < 0.15:
        spec["source"] = rng.choice(["digits", "csv", "npz", "idx", "images", "nope", 3, None])
    for key in rng.sample(TOY_KEYS, rng.randint(0, 4)):
        spec[key] = rng.choice(EXTREME) if rng.random() < 0.7 else nasty(rng)
    if spec["source"] in ("csv", "npz", "images") or rng.random() < 0.1:
        spec[rng.choice(["path", "images", "labels"])] = rng.choice(paths + [rng.choice(SCALARS)])
    if rng.random() < 0.1:
        spec[rng.choice(["bogus", "x", "y", "task", "size", "color", "fingerprint"])] = nasty(rng)
    return spec


def test_data_descriptions_with_extreme_values(tmp_path):
    (tmp_path / "d.npz").write_bytes(NPZ[0])
    (tmp_path / "folder").mkdir()
    paths = ["d.npz", "folder", "missing.csv", "/dev/zero", "/dev/null", "/", "../../etc/passwd", "", "\x00"]
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "fifo.npz")
        paths.append("fifo.npz")
    outcomes = {"refused": 0, "loaded": 0}

    def one(rng):
        spec = _toy_spec(rng, paths)
        D.reads_outside(spec, tmp_path)  # never raises either
        return D.load_from_spec(spec, tmp_path), [repr(spec)[:200]]

    @settings(FUZZ, max_examples=120)
    @given(seed=SEEDS)
    def case(seed):
        _run("spec", seed, one, outcomes, bound)

    with small_limits(), MemoryBound(CASE_MB) as bound:
        case()
    assert outcomes["refused"] > 100 and outcomes["loaded"] > 100, outcomes
