"""Numba kernels, one module per family of node kinds."""
