"""The Numba engine: graphs compile into plans that train in compiled code."""
