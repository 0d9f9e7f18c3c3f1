"""Metrics computed from a model's outputs: accuracy, confusion matrix, MAE."""
from __future__ import annotations

import numpy as np


def predicted_classes(outputs: np.ndarray, loss: str, positions: int = 1) -> np.ndarray:
    """Class indices from raw outputs: argmax of scores, or logit > 0 for one bce output.

    With ``positions`` > 1 each row holds a class's scores for every position of a sequence
    (``positions x classes``); the result is one class per token, flattened ``(N * positions,)``.
    """
    outputs = np.asarray(outputs)
    if positions > 1:
        return np.argmax(outputs.reshape(len(outputs), positions, -1), axis=2).reshape(-1).astype(np.int64)
    if loss == "bce" and outputs.shape[1] == 1:
        return (outputs[:, 0] > 0).astype(np.int64)
    return np.argmax(outputs, axis=1).astype(np.int64)


def accuracy(pred: np.ndarray, y: np.ndarray) -> float:
    """Fraction of examples whose predicted class equals the target."""
    if len(y) == 0:
        return float("nan")
    return float(np.mean(np.asarray(pred).ravel() == np.asarray(y).ravel()))


def confusion_matrix(pred: np.ndarray, y: np.ndarray, n_classes: int) -> np.ndarray:
    """``m[true, predicted]`` counts."""
    m = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(m, (np.asarray(y).ravel().astype(np.int64), np.asarray(pred).ravel().astype(np.int64)), 1)
    return m


def mean_absolute_error(outputs: np.ndarray, y: np.ndarray) -> float:
    if len(y) == 0:
        return float("nan")
    return float(np.mean(np.abs(np.asarray(outputs, dtype=np.float64) - np.asarray(y, dtype=np.float64))))
