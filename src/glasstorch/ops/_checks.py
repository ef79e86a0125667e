"""What the elementwise families (comparison, logical, clamping, arithmetic, pointwise) share: the
checks of their operands, the call of a binary ufunc with torch's broadcasting message, the
wrapping of a NumPy result, and the in-place form of an op (``x.clamp_(0, 1)``).

An operand is a ``Tensor`` or a Python number (``OPERAND``). Shapes broadcast as NumPy's do:
``(3, 1)`` with ``(4,)`` gives ``(3, 4)``; shapes that cannot (``(2, 3)`` with ``(4,)``) are torch's
``RuntimeError`` naming the clashing dimension.
"""

from __future__ import annotations

import numpy as np

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
    return _wrap(res if type(res) is np.ndarray else np.asarray(res))


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


def bind_methods(*tables: dict) -> None:
    """Make each ``name: function`` of ``tables`` a ``Tensor`` method (``x.exp()``)."""
    for table in tables:
        for name, fn in table.items():
            setattr(Tensor, name, fn)


def check_overlap(dst: np.ndarray, src: np.ndarray) -> None:
    """torch refuses ``x[1:] = x[:-1]`` and ``x.copy_(x[0])``: a copy between partly overlapping
    memory (a copy of an array onto exactly itself is fine)."""
    same = (dst.__array_interface__["data"][0] == src.__array_interface__["data"][0]
            and dst.strides == src.strides and dst.shape == src.shape)
    if not same and np.shares_memory(dst, src):
        raise RuntimeError(
            "unsupported operation: some elements of the input tensor and the written-to tensor "
            "refer to a single memory location. Please clone() the tensor before performing the "
            "operation."
        )


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
    if npd.kind == "b" or npd.kind == "c":
        return npd.type(value)
    if type(value) is bool:
        return npd.type(value)
    if isinstance(value, int) and not (-(2 ** 63) <= value < 2 ** 64):
        raise OverflowError("int too big to convert" if value > 0
                            else "can't convert negative int to unsigned")
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
