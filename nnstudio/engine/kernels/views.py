"""Array views the compiled code makes many times per step, built without ``reshape``'s checks."""
from __future__ import annotations

from numba import types
from numba.core import cgutils
from numba.core.imputils import impl_ret_borrowed
from numba.extending import intrinsic
from numba.np.arrayobj import make_array, populate_array


@intrinsic
def as2d(typingctx, a, n, f):
    """``a[: n * f]`` as an (n, f) C-contiguous array.

    ``reshape`` would do the same through two helper calls (~20 ns); a step of a small network
    makes dozens of these views, and the compiler sized every buffer, so nothing needs checking.
    """
    if not (isinstance(a, types.Array) and a.ndim == 1 and a.layout == "C"):
        return None  # only a contiguous 1-D buffer can be viewed this way
    ret = types.Array(a.dtype, 2, "C")

    def codegen(context, builder, sig, args):
        arr, rows, cols = args
        intp = context.get_value_type(types.intp)
        rows = context.cast(builder, rows, sig.args[1], types.intp)
        cols = context.cast(builder, cols, sig.args[2], types.intp)
        src = make_array(sig.args[0])(context, builder, arr)
        out = make_array(ret)(context, builder)
        item = context.get_constant(types.intp, context.get_abi_sizeof(context.get_data_type(a.dtype)))
        populate_array(out, data=src.data, shape=cgutils.pack_array(builder, [rows, cols], intp),
                       strides=cgutils.pack_array(builder, [builder.mul(cols, item), item], intp),
                       itemsize=item, meminfo=src.meminfo)
        return impl_ret_borrowed(context, builder, ret, out._getvalue())

    return ret(a, n, f), codegen
