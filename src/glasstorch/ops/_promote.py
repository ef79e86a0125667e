"""Operands of a binary op as NumPy values of the result dtype torch would give.

NumPy's own promotion differs from torch's (``int64 + float16`` is float64 in NumPy, float16 in
torch; an int tensor plus ``2.5`` is float64 in NumPy, float32 in torch), so every binary op asks
``operands`` first. The common case — two tensors of one dtype, or a float tensor and a Python
number — returns at once without computing anything.

Two tensors must be on one device, except that a 0-d CPU tensor goes along with a GPU one (it is
a number, as in torch): ``same_device`` moves it, or raises torch's error.
"""

from __future__ import annotations

import numpy as np

from .. import _array, _dtype
from .._device import mixed
from .._tensor import Tensor


def operands(a, b):
    """``(x, y)``: the values of ``a`` and ``b`` (Tensors or Python numbers) in the result dtype."""
    if isinstance(a, Tensor):
        x = a._data
        if isinstance(b, Tensor):
            y = b._data
            if x.dtype is y.dtype and type(x) is type(y):
                return x, y
        elif type(b) is float:
            if x.dtype.kind == "f":
                return x, b
        elif type(b) is int and x.dtype.kind in "fi" and x.dtype.itemsize >= 4:
            return x, b
    elif isinstance(b, Tensor) and type(a) is float and b._data.dtype.kind == "f":
        return a, b._data
    dt = result_dtype(a, b)
    x, y = _as(a, dt), _as(b, dt)
    if type(x) is not type(y) and isinstance(a, Tensor) and isinstance(b, Tensor):
        return same_device(x, y)
    return x, y


def same_device(x, y):
    """The arrays ``x`` and ``y`` on one device: a 0-d host array joins a device array; any other
    mix of host and device raises torch's error."""
    hx, hy = _array.on_host(x), _array.on_host(y)
    if hx == hy:
        if hx or x.device == y.device:
            return x, y
        raise mixed(x, y)
    if hx and x.ndim == 0:
        return _array.like(y, x), y
    if hy and y.ndim == 0:
        return x, _array.like(x, y)
    raise mixed(x, y)


def one_device(*values) -> list:
    """``values`` (arrays, NumPy scalars or Python numbers) of an op of several tensors
    (``where``, ``lerp``, ``addcmul``) on one device: 0-d host arrays join the GPU arrays, any
    other mix raises torch's error. Callers ask only when the types differ (all NumPy: nothing
    to do)."""
    gpu = [v for v in values if not _array.on_host(v)]
    if not gpu:
        return list(values)
    ref = gpu[0]
    out = []
    for v in values:
        if isinstance(v, np.ndarray):
            if v.ndim:
                raise mixed(ref, v)
            v = _array.like(ref, v)
        elif not _array.on_host(v) and v.device != ref.device:
            raise mixed(ref, v)
        out.append(v)
    return out


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
    x, y = _as(a, dt), _as(b, dt)
    if type(x) is not type(y) and isinstance(a, Tensor) and isinstance(b, Tensor):
        return same_device(x, y)
    return x, y

