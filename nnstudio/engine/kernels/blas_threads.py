"""The thread count of the BLAS that numba's ``np.dot`` calls, settable from compiled kernels.

Convolution splits a batch into chunks that run in parallel and each call BLAS. OpenBLAS
serializes multithreaded level-3 calls made from several threads at once (one mutex around its
GEMM driver), so with a 2-thread BLAS the chunks' GEMMs ran one after the other and a second
thread gained nothing. The conv kernels therefore hold BLAS to one thread while their parallel
loop runs (:func:`blas_set_threads` ``(1)``) and give it back the run's thread count afterwards.

The setter is bound by a symbol name of our own, registered with LLVM at import, so the cached
machine code finds it in every process: OpenBLAS' ``openblas_set_num_threads`` (also with
scipy's ``scipy_`` prefix / ``64_`` suffix) when that is the BLAS, else a C function that does
nothing (other BLAS libraries, MKL say, do not serialize nested calls this way).
"""
from __future__ import annotations

import ctypes
import itertools

from llvmlite import binding as _llvm
from numba import types

SYMBOL = "nnstudio_blas_set_num_threads"


def _openblas_setter() -> int | None:
    """Address of ``openblas_set_num_threads`` in the BLAS scipy's cython_blas (numba's) uses."""
    try:
        import scipy.linalg.cython_blas  # noqa: F401  (loads the library numba calls)
        from threadpoolctl import ThreadpoolController

        libs = [c for c in ThreadpoolController().lib_controllers if c.internal_api == "openblas"]
    except Exception:  # no scipy / threadpoolctl trouble: run without the setter
        return None
    # numba's np.dot goes through scipy's BLAS; numpy may carry a second OpenBLAS of its own
    libs.sort(key=lambda c: "scipy" not in str(c.filepath))
    for lib in libs[:1]:
        for prefix, suffix in itertools.product(("scipy_", ""), ("", "64_")):
            fn = getattr(lib.dynlib, f"{prefix}openblas_set_num_threads{suffix}", None)
            if fn is not None:
                return ctypes.cast(fn, ctypes.c_void_p).value
    return None


def _do_nothing() -> int:
    """A C function taking one int whose call changes nothing: libc's ``abs``."""
    for name in (None, "msvcrt", "libc.so.6"):
        try:
            lib = ctypes.CDLL(name) if name else ctypes.CDLL(None)
            return ctypes.cast(lib.abs, ctypes.c_void_p).value
        except (OSError, AttributeError, TypeError):
            continue
    raise RuntimeError("no C library found to bind the BLAS thread setter to")  # pragma: no cover


ADDRESS = _openblas_setter()
#: True when the setter reaches OpenBLAS (False: a no-op stands in).
BOUND = ADDRESS is not None
_llvm.add_symbol(SYMBOL, ADDRESS if BOUND else _do_nothing())

#: ``blas_set_threads(n)`` in compiled code: BLAS uses n threads from now on (process-wide).
blas_set_threads = types.ExternalFunction(SYMBOL, types.void(types.intc))

#: ``run_threads()`` in compiled code: the calling thread's numba thread count (what
#: :func:`nnstudio.engine.threads.use_in_this_thread` set), read through the symbol numba's
#: threading layer registers for its parallel loops. ``numba.get_num_threads`` in compiled code
#: would do the same through a ctypes pointer, and a kernel holding one cannot be cached.
run_threads = types.ExternalFunction("get_num_threads", types.intp())
