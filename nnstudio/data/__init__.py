"""Datasets: toy problems, the bundled digits, file loaders, splits, augmentation. No Qt, no numba.

>>> ds = ns.data.toy("spiral", n=400, noise=0.1, seed=1)
>>> ds.X_train.shape, ds.class_names
>>> ns.data.sequence("adding", n=1000, length=50).X_train.shape[1:]   # (50, 2)
"""
from nnstudio.data.arrays import load_idx, load_npz, read_idx
from nnstudio.data.augment import augment
from nnstudio.data.csv_loader import load_csv
from nnstudio.data.dataset import Dataset, iter_batches, make_dataset, one_hot, split_indices
from nnstudio.data.csv_windows import load_csv_windows
from nnstudio.data.digits import digits
from nnstudio.data.images import load_image_folder
from nnstudio.data.sequences import TASKS as SEQUENCE_TASKS, sequence
from nnstudio.data.sources import SOURCES
from nnstudio.data.spec import data_paths, load_from_spec, paths_outside, reads_outside, relative_spec
from nnstudio.data.toy import CLASSIFICATION, DESCRIPTIONS, FEATURES, NAMES, REGRESSION, toy

__all__ = [
    "Dataset", "toy", "digits", "load_csv", "load_npz", "load_idx", "read_idx", "load_image_folder",
    "load_from_spec", "relative_spec", "augment", "iter_batches", "one_hot", "make_dataset", "split_indices",
    "FEATURES", "NAMES", "CLASSIFICATION", "REGRESSION", "DESCRIPTIONS",
    "data_paths", "paths_outside", "reads_outside",
    "sequence", "SEQUENCE_TASKS", "load_csv_windows", "SOURCES",
]
