"""Image folders: one sub-folder per class; unreadable images are skipped and listed.

Images are untrusted: one whose header promises more than :data:`MAX_IMAGE_PIXELS`
pixels (a decompression bomb: a few KB that decode to gigabytes) is skipped
before it is decoded, as are files over the size limit and special files; the
total the dataset will take is checked before any image is read.
"""
from __future__ import annotations

import struct
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from nnstudio.data import files
from nnstudio.data.dataset import Dataset, check_split, make_dataset
from nnstudio.data.files import fingerprint
from nnstudio.errors import DataError

EXTENSIONS = {".png", ".jpg", ".jpeg", ".bmp"}
#: Largest image decoded (width x height); PIL's own bomb check is tighter only for huge ones.
MAX_IMAGE_PIXELS = 40_000_000
#: Largest image file read.
MAX_IMAGE_FILE_BYTES = 256 * 1024 ** 2


def _read_image(f: Path, mode: str, w: int, h: int) -> np.ndarray:
    """One image as float32 (H, W) or (H, W, 3) in [0, 1]; raises ValueError with the reason to skip it."""
    from PIL import Image

    size = files.check_file(f, "image").st_size
    if size > MAX_IMAGE_FILE_BYTES:
        raise ValueError(f"the file is {size / 1024 ** 2:.0f} MB; the limit is {MAX_IMAGE_FILE_BYTES // 1024 ** 2} MB")
    with warnings.catch_warnings():
        # PIL warns (and only warns) about images between its limit and twice it: we refuse them
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(f) as im:
            width, height = im.size  # from the header: nothing is decoded yet
            if width * height > MAX_IMAGE_PIXELS:
                raise ValueError(f"it is {width}x{height} pixels, more than the limit of {MAX_IMAGE_PIXELS:,} "
                                 "(a damaged file or a decompression bomb)")
            im = im.convert(mode).resize((w, h), Image.BILINEAR)
            return np.asarray(im, dtype=np.float32) / 255.0


def _bomb_errors() -> tuple[type[BaseException], ...]:
    from PIL import Image, UnidentifiedImageError

    return (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError,
            Image.DecompressionBombWarning, MemoryError, DataError, IndexError, KeyError, TypeError, ZeroDivisionError, struct.error)


def load_image_folder(path: str | Path, size: Any = (28, 28), color: str = "grayscale",
                      val_ratio: float = 0.2, seed: int = 0) -> Dataset:
    """Images under ``path/<class name>/`` resized to ``size`` (height, width), scaled to [0, 1]."""
    root = Path(path)
    if not root.is_dir():
        raise DataError(f"{root.name}: the image folder was not found at {root}")
    if color not in ("grayscale", "rgb"):
        raise DataError("color must be 'grayscale' or 'rgb'")
    val_ratio, seed = check_split(val_ratio, seed)
    if (not isinstance(size, (list, tuple)) or len(size) != 2
            or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in size)):
        raise DataError(f"image size must be two whole numbers (height, width); got {size!r}")
    h, w = int(size[0]), int(size[1])
    if h < 1 or w < 1 or h > 512 or w > 512:
        raise DataError(f"image size must be between 1 and 512 pixels; got {h}x{w}")
    classes = sorted(d.name for d in root.iterdir() if d.is_dir() and not d.name.startswith("."))
    if len(classes) < 2:
        raise DataError(f"{root.name}: needs one sub-folder per class (at least two); found {len(classes)}")
    mode = "L" if color == "grayscale" else "RGB"
    channels = 1 if mode == "L" else 3
    todo: list[tuple[int, str, Path]] = []
    for label, cls in enumerate(classes):
        for f in sorted((root / cls).iterdir()):
            # is_file() is False for FIFOs, devices and sockets (and links to them): they are never opened
            if f.suffix.lower() in EXTENSIONS and f.is_file():
                todo.append((label, cls, f))
            if len(todo) > files.MAX_FILES:
                raise DataError(f"{root.name}: more than {files.MAX_FILES:,} images - use a smaller folder")
    files.check_allocation(len(todo) * channels * h * w * 4 * 2, root.name, f"{len(todo):,} images of {h}x{w}")
    errors = _bomb_errors()
    images, labels, skipped = [], [], []
    for label, cls, f in todo:
        try:
            a = _read_image(f, mode, w, h)
        except errors as exc:
            skipped.append(f"{cls}/{f.name}: {type(exc).__name__}: {str(exc)[:100]}")
            continue
        images.append(a[None] if a.ndim == 2 else a.transpose(2, 0, 1))
        labels.append(label)
    if not images:
        raise DataError(f"{root.name}: no readable PNG, JPEG or BMP images in the class folders")
    warnings_ = [f"{len(skipped)} unreadable image(s) skipped"] if skipped else []
    spec = {"source": "images", "path": str(path), "size": [h, w], "color": color, "val_ratio": float(val_ratio),
            "seed": int(seed), "fingerprint": fingerprint(root)}
    return make_dataset(np.stack(images), np.array(labels), "classification", classes, spec, val_ratio, seed,
                        skipped=skipped, warnings=warnings_)
