"""Operands of a binary op as NumPy values of the result dtype torch would give.

NumPy's own promotion differs from torch's (``int64 + float16`` is float64 in NumPy, float16 in
torch; an int tensor plus ``2.5`` is float64 in NumPy, float32 in torch), so every binary op asks
``operands`` first. The common case — two tensors of one dtype, or a float tensor and a Python
number — returns at once without computing anything.
"""

from __future__ import annotations

import numpy as np

from .. import _dtype
from .._tensor import Tensor


def operands(a, b):
    """``(x, y)``: the values of ``a`` and ``b`` (Tensors or Python numbers) in the result dtype."""
    if isinstance(a, Tensor):
        x = a._data
        if isinstance(b, Tensor):
            if x.dtype is b._data.dtype:
                return x, b._data
        elif type(b) is float:
            if x.dtype.kind == "f":
                return x, b
        elif type(b) is int and x.dtype.kind in "fi" and x.dtype.itemsize >= 4:
            return x, b
    elif isinstance(b, Tensor) and type(a) is float and b._data.dtype.kind == "f":
        return a, b._data
    dt = result_dtype(a, b)
    return _as(a, dt), _as(b, dt)


def result_dtype(a, b) -> _dtype.dtype:
    """torch.result_type of two operands, after checking both are tensors or numbers."""
    for v in (a, b):
        if not isinstance(v, (Tensor, int, float, bool, complex, np.generic)):
            raise TypeError(
                f"unsupported operand type: expected a Tensor or a Python number, got "
                f"{type(v).__name__}"
            )
    return _dtype.result_type(_plain(a), _plain(b))


def _plain(v):
    return v.item() if isinstance(v, np.generic) else v


def _as(v, dt: _dtype.dtype):
    if isinstance(v, Tensor):
        arr = v._data
        return arr if arr.dtype == dt.np else arr.astype(dt.np)
    return np.asarray(_plain(v), dtype=dt.np)[()]


def float_operands(a, b):
    """Like ``operands`` but never integral: true division and friends compute in floating point."""
    dt = result_dtype(a, b)
    if not (dt.is_floating_point or dt.is_complex):
        dt = _dtype.get_default_dtype()
    return _as(a, dt), _as(b, dt)

