"""What every tensor factory shares: reading a size, choosing the dtype, finishing the result
(device check, ``out=``, ``requires_grad=``). Used by ``_creation`` and ``_sampling``."""

from __future__ import annotations

import numpy as np

from . import _dtype
from ._device import check_device
from ._tensor import Tensor, _wrap

_LEGACY = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
           "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
           "complex64": "ComplexFloat", "complex128": "ComplexDouble"}


def _legacy_name(d: _dtype.dtype) -> str:
    """torch's C++ type name of a dtype, as its messages use it (``Float``, ``Long``)."""
    return _LEGACY[d.name]


def _shape_arg(size, op: str = "new") -> tuple:
    """Sizes given as varargs ``(2, 3)`` or one sequence ``((2, 3),)`` → a tuple of ints."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    if set(map(type, size)) <= {int} and (not size or min(size) >= 0):
        return tuple(size)  # the common case: plain nonnegative ints
    out = []
    for s in size:
        if isinstance(s, Tensor) and s._data.dtype.kind in "iu" and s._data.size == 1:
            s = int(s)
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(
                f"{op}(): argument 'size' (position 1) must be tuple of ints, not "
                f"{type(s).__name__}"
            )
        if s < 0:
            if op == "zeros":
                raise RuntimeError("zeros: Dimension size must be non-negative.")
            raise RuntimeError(
                f"Trying to create tensor with negative dimension {s}: {[int(v) for v in size]}"
            )
        out.append(int(s))
    return tuple(out)


def _grad_flag(t: Tensor, requires_grad: bool) -> Tensor:
    """Make a fresh factory result a leaf that requires grad (floating and complex only)."""
    if requires_grad:
        if t._data.dtype.kind not in "fc":
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients"
            )
        t._rg = True
    return t


def _dtype_or(dtype, default: _dtype.dtype) -> np.dtype:
    return default.np if dtype is None else _dtype.to_dtype(dtype).np


def _factory_dtype(dtype, out, default: _dtype.dtype) -> np.dtype:
    """``dtype=`` if given, else the ``out=`` tensor's dtype, else ``default``."""
    if dtype is None and out is not None:
        return out._data.dtype
    return _dtype_or(dtype, default)


def _result(arr: np.ndarray, requires_grad: bool, device=None, out=None, op: str = "") -> Tensor:
    """Finish a factory: check the device, honour ``out=`` (resized and written), flag grad."""
    if device is not None:
        check_device(device)
    if out is not None:
        return _into_out(arr, out, op)
    t = _wrap(arr)
    return _grad_flag(t, requires_grad) if requires_grad else t


def _into_out(arr: np.ndarray, out: Tensor, op: str) -> Tensor:
    """Write a factory's result into ``out`` (same object; resized if its shape differs)."""
    if arr.dtype != out._data.dtype:
        raise RuntimeError(
            f"dtype {_legacy_name(_dtype._from_np[arr.dtype])} does not match dtype of out "
            f"parameter ({_legacy_name(out.dtype)})"
        )
    if out._data.shape != arr.shape or type(out._data) is not np.ndarray:
        out._data = np.empty_like(out._data, shape=arr.shape)
    out._data[...] = arr
    out._vc[0] += 1
    return out


def writable(t: Tensor) -> np.ndarray:
    """``t``'s array, ready to be written in place. A 0-d result that an op left as a NumPy
    scalar (immutable, shared with nothing) is first replaced by a 0-d array holding its value."""
    arr = t._data
    if type(arr) is not np.ndarray:
        arr = t._data = np.array(arr)
    return arr
