"""Array views the compiled code makes many times per step, built without ``reshape``'s checks."""
from __future__ import annotations

from numba import types
from numba.core import cgutils
from numba.core.imputils import impl_ret_borrowed
from numba.extending import intrinsic
from numba.np.arrayobj import make_array, populate_array


def _view(context, builder, ret, data, shape, strides, meminfo):
    """A new array of type ``ret`` over ``data``, sharing the owner's ``meminfo``."""
    intp = context.get_value_type(types.intp)
    item = context.get_constant(types.intp, context.get_abi_sizeof(context.get_data_type(ret.dtype)))
    out = make_array(ret)(context, builder)
    populate_array(out, data=data, shape=cgutils.pack_array(builder, shape, intp),
                   strides=cgutils.pack_array(builder, [builder.mul(s, item) for s in strides], intp),
                   itemsize=item, meminfo=meminfo)
    return impl_ret_borrowed(context, builder, ret, out._getvalue())


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
        rows = context.cast(builder, rows, sig.args[1], types.intp)
        cols = context.cast(builder, cols, sig.args[2], types.intp)
        src = make_array(sig.args[0])(context, builder, arr)
        one = context.get_constant(types.intp, 1)
        return _view(context, builder, ret, src.data, [rows, cols], [cols, one], src.meminfo)

    return ret(a, n, f), codegen


@intrinsic
def buffer(typingctx, B, i):
    """Buffer ``i`` of an arena ``B = (arena, offsets)``: ``arena[offsets[i, 0]:offsets[i, 1]]``.

    The compiled runner makes over a hundred of these per step; as a numba function (inlined
    or not) each one cost time to compile or to run, as an intrinsic it is a few instructions.
    """
    if not (isinstance(B, types.BaseTuple) and len(B) == 2 and isinstance(B[0], types.Array)
            and B[0].ndim == 1 and B[0].layout == "C" and isinstance(B[1], types.Array) and B[1].ndim == 2
            and B[1].layout == "C" and isinstance(i, types.Integer)):
        return None
    arena_ty, offs_ty = B[0], B[1]
    ret = types.Array(arena_ty.dtype, 1, "C")

    def codegen(context, builder, sig, args):
        tup, idx = args
        arena = make_array(arena_ty)(context, builder, builder.extract_value(tup, 0))
        offs = make_array(offs_ty)(context, builder, builder.extract_value(tup, 1))
        intp = context.get_value_type(types.intp)
        idx = context.cast(builder, idx, sig.args[1], types.intp)
        row = builder.mul(idx, intp(2))
        start = context.cast(builder, builder.load(builder.gep(offs.data, [row])), offs_ty.dtype, types.intp)
        end = context.cast(builder, builder.load(builder.gep(offs.data, [builder.add(row, intp(1))])),
                           offs_ty.dtype, types.intp)
        return _view(context, builder, ret, builder.gep(arena.data, [start]), [builder.sub(end, start)],
                     [intp(1)], arena.meminfo)

    return ret(B, i), codegen
