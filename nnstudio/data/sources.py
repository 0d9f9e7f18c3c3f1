"""The data sources as registry data: one entry per ``"source"`` of a project's data description.

An entry names its loader, the parameters the data panel's form shows (type, default, range), a
description, the spec keys that hold file paths (none for generated data) and, for sources with
several problems (toy, sequence), the key that chooses the problem and the problems it offers.
``load_from_spec``, ``data_paths``/``paths_outside`` and the data panel all read this table:
adding a source is one :func:`register` call.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from nnstudio.data import sequences as S
from nnstudio.data import toy as T
from nnstudio.data.arrays import load_idx, load_npz
from nnstudio.data.csv_loader import load_csv
from nnstudio.data.csv_windows import load_csv_windows
from nnstudio.data.dataset import Dataset
from nnstudio.data.digits import LABELS as DIGIT_LABELS, MAX_PAGE, PARTS as DIGIT_PARTS, digits
from nnstudio.data.images import load_image_folder
from nnstudio.data.word_corpus import MAX_SENTENCES, words
from nnstudio.errors import DataError

PARAM_KINDS = ("int", "float", "features", "choice")


@dataclass(frozen=True)
class Param:
    """One setting of a source that the data panel shows as a form row (``key`` as in the spec)."""

    key: str
    label: str
    kind: str  # "int", "float", "features" (check boxes, toy sets' derived inputs) or "choice" (one of choices)
    default: Any
    minimum: float = 0
    maximum: float = 0
    step: float = 1
    tip: str = ""
    decimals: int = 2
    choices: tuple[str, ...] = ()  # the names a "features" or "choice" param offers

    def __post_init__(self) -> None:
        if self.kind not in PARAM_KINDS:
            raise ValueError(f"parameter {self.key!r}: unknown kind {self.kind!r}")


@dataclass(frozen=True)
class Variant:
    """One problem of a source with several (a toy problem, a sequence task)."""

    value: str
    description: str
    defaults: dict[str, Any] = field(default_factory=dict)  # per-problem defaults of the source's params
    hidden: tuple[str, ...] = ()  # params that mean nothing for this problem


@dataclass(frozen=True)
class Source:
    """A data source: how to load it and what its form shows."""

    name: str
    loader: Callable[..., Dataset]
    description: str
    params: tuple[Param, ...] = ()
    path_keys: tuple[str, ...] = ()  # spec keys holding files or folders; the first is fingerprinted
    variant_key: str | None = None  # the spec key choosing the problem ("name" for toy, "task" for sequence)
    variants: tuple[Variant, ...] = ()
    menu_label: str = ""  # the data panel's entry for a file source ("CSV file...")
    prepare: Callable[[dict[str, Any]], dict[str, Any]] | None = None  # spec -> loader arguments
    file_filter: str = ""  # the file dialog's filter; a file source without one reads a folder
    options_dialog: str = ""  # "csv": the CSV import dialog chooses delimiter, header, target...
    preview: str = "auto"  # how the data panel previews it: "auto" (by shape), "sequence" or "words" (pairs)
    #: the spec's path entries for the file the user chose (default: the first path key holds it)
    paths_for: Callable[[str, dict[str, Any]], dict[str, str]] | None = None

    def spec_paths(self, path: str, options: dict[str, Any]) -> dict[str, str]:
        """The spec's path entries when the user chose ``path`` (with the loader ``options``)."""
        if self.paths_for is not None:
            return self.paths_for(str(path), options)
        return {self.path_keys[0]: str(path)} if self.path_keys else {}

    @property
    def reads_files(self) -> bool:
        return bool(self.path_keys)

    @property
    def fingerprint_key(self) -> str | None:
        return self.path_keys[0] if self.path_keys else None

    def variant(self, value: Any) -> Variant | None:
        return next((v for v in self.variants if v.value == value), None)

    def form_params(self, variant: Any = None) -> list[Param]:
        """The params the form shows for ``variant``, with that problem's defaults."""
        v = self.variant(variant)
        out = []
        for p in self.params:
            if v is not None and p.key in v.hidden:
                continue
            if v is not None and p.key in v.defaults:
                p = Param(**{**p.__dict__, "default": v.defaults[p.key]})
            out.append(p)
        return out

    def load(self, settings: dict[str, Any]) -> Dataset:
        """Call the loader with the spec's settings (source and fingerprint already removed)."""
        args = self.prepare(dict(settings)) if self.prepare else settings
        return self.loader(**args)


SOURCES: dict[str, Source] = {}


def register(source: Source) -> Source:
    """Add a source (a later entry of the same name replaces the earlier one)."""
    SOURCES[source.name] = source
    return source


def get(name: Any) -> Source:
    """The registered source ``name``, or DataError naming the known ones."""
    if not isinstance(name, str):
        raise DataError(f"the project's data source must be text, not {name!r}")
    if name not in SOURCES:
        raise DataError(f"unknown data source {name!r}; known sources are {', '.join(SOURCES)}")
    return SOURCES[name]


def all_path_keys() -> tuple[str, ...]:
    """Every spec key any source uses for a path (for descriptions whose source is unknown)."""
    keys: list[str] = []
    for s in SOURCES.values():
        keys += [k for k in s.path_keys if k not in keys]
    return tuple(keys)


def _drop_auto_task(spec: dict[str, Any]) -> dict[str, Any]:
    if spec.get("task") is None:  # older CSV descriptions stored task: null for "auto"
        spec.pop("task", None)
    return spec


_POINTS = Param("n", "Points", "int", 400, 4, 100_000, 50, "Number of points (training + validation)")
_NOISE = Param("noise", "Noise", "float", 0.1, 0.0, 2.0, 0.05,
               "How much the points scatter - more noise is harder and invites overfitting")

register(Source(
    "toy", T.toy, "2-D toy problems generated from a seed",
    params=(_POINTS, _NOISE, Param("features", "Inputs", "features", ["x1", "x2"], choices=tuple(T.FEATURES),
                                   tip="Feed this value to the network as an extra input")),
    variant_key="name", variants=tuple(Variant(n, T.DESCRIPTIONS[n]) for n in T.NAMES)))
register(Source(
    "digits", digits, "1,797 handwritten 8x8 digits (bundled)",
    params=(Param("labels", "Question", "choice", "digit", choices=DIGIT_LABELS,
                  tip="Which digit it is (ten classes), or a new question on the same images: odd or even?"),
            Param("part", "Images", "choice", "all", choices=DIGIT_PARTS,
                  tip="All 1,797 images, or one half: a network trained on one half can be tried on the other"),
            Param("per_class", "Per digit", "int", 0, 0, 200, 10,
                  "Images of each digit to keep: 0 keeps all (about 180), a few makes a small-data task"),
            Param("page", "Page size", "int", 8, 8, MAX_PAGE, 4,
                  "8 keeps the images as they are; more puts each digit at a random spot of a blank page "
                  "this many pixels square"),
            Param("copies", "Copies", "int", 1, 1, 10, 1,
                  "On a bigger page: each image this many times, at different spots (more examples)"))))
register(Source(
    "sequence", S.sequence, "generated sequence tasks for recurrent and attention networks",
    params=(Param("n", "Sequences", "int", 1000, 4, 100_000, 100, "Number of sequences (training + validation)"),
            Param("length", "Length", "int", 20, S.MIN_LENGTH, S.MAX_LENGTH, 1, "Steps in each sequence"),
            Param("noise", "Noise", "float", 0.0, 0.0, 1.0, 0.05,
                  "Gaussian noise on the values, or the share of symbols replaced at random"),
            Param("vocab", "Tokens", "int", 8, S.MIN_VOCAB, 100, 1, "How many different tokens the sequences use")),
    variant_key="task", preview="sequence",
    variants=tuple(Variant(t, S.DESCRIPTIONS[t], {"length": S.DEFAULT_LENGTH[t], "noise": S.DEFAULT_NOISE.get(t, 0.0)},
                           () if t in ("copy", "reverse") else ("vocab",)) for t in S.TASKS)))
_CSV_FILTER = "CSV files (*.csv *.tsv *.txt);;All files (*)"
register(Source("csv", load_csv, "a table of numbers or categories", path_keys=("path",), menu_label="CSV file...",
                prepare=_drop_auto_task, file_filter=_CSV_FILTER, options_dialog="csv"))
register(Source("csv_windows", load_csv_windows, "a CSV time series cut into windows", path_keys=("path",),
                menu_label="CSV time series (windows)...", file_filter=_CSV_FILTER, options_dialog="csv",
                preview="sequence",
                params=(Param("window", "Window", "int", 20, 1, 10_000, 1, "Rows in each input window"),
                        Param("horizon", "Horizon", "int", 1, 1, 10_000, 1,
                              "How many rows after the window the value to forecast lies"))))
register(Source("npz", load_npz, "NumPy arrays", path_keys=("path",), menu_label="NumPy .npz file...",
                file_filter="NumPy files (*.npz)"))
def _idx_paths(path: str, options: dict[str, Any]) -> dict[str, str]:
    """The images file chosen; its labels file named alongside (train-images-idx3 -> train-labels-idx1)."""
    return {"images": path, "labels": options.get("labels") or path.replace("images", "labels").replace("idx3", "idx1")}


register(Source("idx", load_idx, "MNIST-style IDX files", path_keys=("images", "labels"),
                menu_label="MNIST IDX files...", file_filter="IDX image files (*.idx *ubyte *.gz);;All files (*)",
                paths_for=_idx_paths))
register(Source("images", load_image_folder, "a folder with one sub-folder of images per class",
                path_keys=("path",), menu_label="Image folder..."))

register(Source("words", words, "a small generated corpus: which words appear together", preview="words",
                params=(Param("n", "Sentences", "int", 400, 10, MAX_SENTENCES, 100,
                              "Number of generated sentences; each gives five (person word, word beside it) pairs"),)))


__all__ = ["Param", "Variant", "Source", "SOURCES", "register", "get", "all_path_keys"]
