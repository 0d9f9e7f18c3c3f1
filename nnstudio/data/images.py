"""Image folders: one sub-folder per class; unreadable images are skipped and listed."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from nnstudio.data.dataset import Dataset, make_dataset
from nnstudio.data.files import fingerprint
from nnstudio.errors import DataError

EXTENSIONS = {".png", ".jpg", ".jpeg", ".bmp"}


def load_image_folder(path: str | Path, size: tuple[int, int] = (28, 28), color: str = "grayscale",
                      val_ratio: float = 0.2, seed: int = 0) -> Dataset:
    """Images under ``path/<class name>/`` resized to ``size`` (height, width), scaled to [0, 1]."""
    from PIL import Image, UnidentifiedImageError

    root = Path(path)
    if not root.is_dir():
        raise DataError(f"{root.name}: the image folder was not found at {root}")
    if color not in ("grayscale", "rgb"):
        raise DataError("color must be 'grayscale' or 'rgb'")
    h, w = int(size[0]), int(size[1])
    if h < 1 or w < 1 or h > 512 or w > 512:
        raise DataError(f"image size must be between 1 and 512 pixels; got {h}x{w}")
    classes = sorted(d.name for d in root.iterdir() if d.is_dir() and not d.name.startswith("."))
    if len(classes) < 2:
        raise DataError(f"{root.name}: needs one sub-folder per class (at least two); found {len(classes)}")
    images, labels, skipped = [], [], []
    mode = "L" if color == "grayscale" else "RGB"
    for label, cls in enumerate(classes):
        for f in sorted((root / cls).iterdir()):
            if not f.is_file() or f.suffix.lower() not in EXTENSIONS:
                continue
            try:
                with Image.open(f) as im:
                    im = im.convert(mode).resize((w, h), Image.BILINEAR)
                    a = np.asarray(im, dtype=np.float32) / 255.0
            except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
                skipped.append(f"{cls}/{f.name}: {type(exc).__name__}: {str(exc)[:80]}")
                continue
            images.append(a[None] if a.ndim == 2 else a.transpose(2, 0, 1))
            labels.append(label)
    if not images:
        raise DataError(f"{root.name}: no readable PNG, JPEG or BMP images in the class folders")
    warnings = [f"{len(skipped)} unreadable image(s) skipped"] if skipped else []
    spec = {"source": "images", "path": str(path), "size": [h, w], "color": color, "val_ratio": float(val_ratio),
            "seed": int(seed), "fingerprint": fingerprint(root)}
    return make_dataset(np.stack(images), np.array(labels), "classification", classes, spec, val_ratio, seed,
                        skipped=skipped, warnings=warnings)
