"""What the elementwise families (comparison, logical, clamping, arithmetic, pointwise) share: the
checks of their operands, the call of a binary ufunc with torch's broadcasting message, the
wrapping of a NumPy result, and the in-place form of an op (``x.clamp_(0, 1)``).

An operand is a ``Tensor`` or a Python number (``OPERAND``). Shapes broadcast as NumPy's do:
``(3, 1)`` with ``(4,)`` gives ``(3, 4)``; shapes that cannot (``(2, 3)`` with ``(4,)``) are torch's
``RuntimeError`` naming the clashing dimension.
"""

from __future__ import annotations

import numpy as np

from .. import _array
from .._errors import not_tensor
from .._tensor import Tensor, _wrap
from ._broadcast import broadcast_error
from ._promote import operands

OPERAND = (Tensor, int, float, bool, complex, np.generic)  # what a binary operator accepts


def data_of(input, op: str) -> np.ndarray:
    """``input``'s array, or torch's TypeError naming ``op`` if ``input`` is not a tensor."""
    try:
        return input._data
    except AttributeError:
        raise not_tensor(op, input) from None


def shape_of(v) -> tuple:
    """The shape of a tensor operand; ``()`` for a Python number."""
    return v._data.shape if isinstance(v, Tensor) else ()


def as_input(v) -> Tensor:
    """A Python number as a 0-d tensor (for a backward formula that needs one), else ``v``."""
    return v if isinstance(v, Tensor) else _wrap(np.asarray(v))


def as_tensor(res) -> Tensor:
    """A NumPy result as a Tensor (NumPy gives a scalar, not an array, for 0-d inputs)."""
    return _wrap(res)


def pair(op: str, a, b):
    """The promoted NumPy operands of a comparison-like op (``_promote.operands``), with torch's
    TypeError for something that is neither a tensor nor a number."""
    try:
        return operands(a, b)
    except TypeError:
        raise TypeError(
            f"{op}() received an invalid combination of arguments - got "
            f"({type(a).__name__}, {type(b).__name__}), but expected (Tensor input, Tensor or "
            "Number other)"
        ) from None


def binary(ufunc, x, y, a, b):
    """``ufunc(x, y)`` on the arrays ``x``, ``y`` of operands ``a``, ``b``; shapes that do not
    broadcast give torch's message (``(2, 3)`` and ``(4,)``: "The size of tensor a (3) must match
    the size of tensor b (4) at non-singleton dimension 1")."""
    try:
        return ufunc(x, y)
    except ValueError:
        raise broadcast_error(shape_of(a), shape_of(b)) from None


def negate_into(x: np.ndarray) -> np.ndarray:
    """``x = -x`` in ``x``'s own memory. NumPy 2.4's in-place ``negative`` of a strided 4-byte
    array (float32, int32; ``x[:, 2]``) reads the wrong elements, so such an array is negated
    through a temporary."""
    if x.flags.c_contiguous or x.itemsize != 4:
        return np.negative(x, out=x)
    x[...] = np.negative(x)
    return x


def bind_methods(*tables: dict) -> None:
    """Make each ``name: function`` of ``tables`` a ``Tensor`` method (``x.exp()``)."""
    for table in tables:
        for name, fn in table.items():
            setattr(Tensor, name, fn)


_PARTIAL = ("unsupported operation: some elements of the input tensor and the written-to tensor "
            "refer to a single memory location. Please clone() the tensor before performing the "
            "operation.")


def _dense(shape: tuple, strides: tuple, itemsize: int) -> bool:
    """torch's ``is_non_overlapping_and_dense``: the elements (size-1 dims aside) tile one block
    of memory with no gap and no repeat, in some order of the dims (a transpose is dense, a
    slice with a step or an ``expand`` is not). ``strides`` in bytes."""
    expected = itemsize
    for stride, size in sorted((s, n) for n, s in zip(shape, strides) if n != 1):
        if stride != expected:
            return False
        expected *= size
    return True


def overlap_refused(dst: np.ndarray, src: np.ndarray, src_shape=None, src_strides=None) -> bool:
    """Whether torch refuses an elementwise write into ``dst`` that reads ``src``: both are dense
    blocks (see ``_dense``; for anything else torch cannot tell cheaply and lets it through) that
    overlap without being the very same elements in the same order ("partial overlap").

    ``x.add_(x)`` is fine; ``x[1:].copy_(x[:-1])``, ``x.add_(x.t())``, ``x.copy_(x.unsqueeze(0))``
    (same memory, strides ``(1,)`` against ``(3, 1)``) are refused. ``src_shape`` /
    ``src_strides`` (bytes) describe ``src`` as the write sees it when it is not ``src``'s own
    layout (the expanded value of ``x[key] = v``)."""
    if dst.size == 0 or src.size == 0 or not np.may_share_memory(dst, src):
        return False
    shape = src.shape if src_shape is None else src_shape
    strides = src.strides if src_strides is None else src_strides
    if not (_dense(dst.shape, dst.strides, dst.itemsize) and _dense(shape, strides, src.itemsize)):
        return False
    a, b = _array.address(dst), _array.address(src)
    a_end, b_end = a + dst.size * dst.itemsize, b + src.size * src.itemsize
    if a == b and a_end == b_end:
        return tuple(s // dst.itemsize for s in dst.strides) != tuple(
            s // src.itemsize for s in strides)
    return a < b_end and b < a_end


def check_overlap(dst: np.ndarray, src: np.ndarray) -> None:
    """torch's RuntimeError for a write into ``dst`` reading ``src`` where the two partly overlap
    (``overlap_refused``): ``x[1:] = x[:-1]``, ``x.copy_(x.unsqueeze(0))``, ``x.add_(x[0])``. A
    write of an array onto exactly itself (``x.add_(x)``, ``x.copy_(x)``) is fine."""
    a, b = dst.base, src.base  # (views of one array share its base: a cheap first test)
    if (dst if a is None else a) is not (src if b is None else b):
        if a is None and b is None or type(dst) is not type(src) or not np.may_share_memory(
                dst, src):  # (a CPU and a GPU array share nothing)
            return
    if overlap_refused(dst, src):
        raise RuntimeError(_PARTIAL)


def check_value_overlap(dst: np.ndarray, src: np.ndarray) -> None:
    """``check_overlap`` for ``dst[...] = src`` where ``src`` (leading size-1 dims dropped) is
    first expanded to ``dst``'s shape as torch expands it: a new leading dim takes the stride
    that keeps the layout row-major, a stretched size-1 dim takes stride 0 (then the value is
    not dense and torch lets it through: ``x[:] = x[0]`` on a 2x2 ``x``). So
    ``g = ones(1, 4); g[:] = g[0]`` is fine (the same elements in the same order)."""
    if src.shape == dst.shape or not np.may_share_memory(dst, src):
        return check_overlap(dst, src)
    shape, strides = list(src.shape), list(src.strides)
    lead = dst.ndim - src.ndim
    if lead < 0:
        return None  # a shape error, reported by the write itself
    for i in range(src.ndim):
        if shape[i] == 1 and dst.shape[lead + i] != 1:
            shape[i], strides[i] = dst.shape[lead + i], 0
    for i in reversed(range(lead)):
        n = dst.shape[i]
        strides.insert(0, 0 if n != 1 else (shape[0] * strides[0]) if shape else src.itemsize)
        shape.insert(0, n)
    if overlap_refused(dst, src, tuple(shape), tuple(strides)):
        raise RuntimeError(_PARTIAL)
    return None


# torch's name of the C++ type a number is converted to, in its overflow message
_CONVERTED_NAMES = {
    np.dtype(np.int8): "int8_t", np.dtype(np.uint8): "uint8_t", np.dtype(np.int16): "int16_t",
    np.dtype(np.int32): "int", np.dtype(np.int64): "int64_t", np.dtype(np.float16): "c10::Half",
    np.dtype(np.float32): "float", np.dtype(np.float64): "double",
}


def scalar_for(value, npd: np.dtype):
    """The Python number ``value`` as a NumPy scalar of dtype ``npd``, checked as torch checks a
    number written into a tensor (``fill_``, ``full``, ``alpha``): a value outside the dtype's
    range (``1e20``, ``inf`` or ``nan`` into int64, ``300`` into int8, ``1e300`` into float32, a
    complex number with an imaginary part into a real dtype) is torch's RuntimeError "value cannot
    be converted to type int64_t without overflow". Integers may wrap into an unsigned dtype from
    down to minus its maximum (``-1`` into uint8 is 255); bool takes any value (nonzero is True).
    """
    if isinstance(value, np.generic):
        value = value.item()
    if type(value) is bool:
        return npd.type(value)
    if isinstance(value, int) and not (-(2 ** 63) <= value < 2 ** 64):
        raise OverflowError("int too big to convert" if value > 0
                            else "can't convert negative int to unsigned")
    if npd.kind == "b" or npd.kind == "c":
        return npd.type(value)
    bad = False
    if isinstance(value, complex):
        bad = value.imag != 0
        value = value.real
    if npd.kind in "iu":
        info = np.iinfo(npd)
        if isinstance(value, int) and npd.kind == "u":
            bad = bad or value > info.max or value < -info.max
        else:  # nan and inf fail both comparisons' complement
            bad = bad or not (info.min <= value <= info.max)
        if not bad:
            return npd.type(int(value) % (info.max + 1) if value < 0 and npd.kind == "u"
                            else int(value))
    elif npd.kind == "f" and abs(value) > np.finfo(npd).max and value == value:
        bad = not np.isinf(value)
    if bad:
        raise RuntimeError(
            f"value cannot be converted to type {_CONVERTED_NAMES.get(npd, npd.name)} without "
            "overflow"
        )
    return npd.type(value)
