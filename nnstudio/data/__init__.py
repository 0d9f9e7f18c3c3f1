"""Datasets: toy problems, the bundled digits, file loaders, splits, augmentation. No Qt, no numba."""
