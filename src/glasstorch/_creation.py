"""Creating tensors: from data (``tensor``, ``as_tensor``, ``from_numpy``) and from shapes.

Data keeps its dtype where torch keeps it (a float64 ndarray stays float64) and takes torch's
defaults where it has none (Python floats → float32, ints → int64). ``tensor`` always copies;
``as_tensor`` and ``from_numpy`` share memory with an ndarray.
"""

from __future__ import annotations

import warnings

import numpy as np

from . import _dtype
from ._device import check_device
from ._tensor import Tensor, _wrap


def _infer_np_dtype(data):
    """The NumPy dtype torch would choose for nested Python data."""
    kinds = set()
    stack = [data]
    while stack:
        v = stack.pop()
        if isinstance(v, (list, tuple)):
            stack.extend(v)
        elif isinstance(v, Tensor):
            kinds.add(v._data.dtype.kind + str(v._data.dtype.itemsize))
        elif isinstance(v, bool) or isinstance(v, np.bool_):
            kinds.add("b")
        elif isinstance(v, (int, np.integer)):
            kinds.add("i")
        elif isinstance(v, (float, np.floating)):
            kinds.add("f")
        elif isinstance(v, complex):
            kinds.add("c")
        elif isinstance(v, np.ndarray):
            kinds.add(v.dtype.kind + str(v.dtype.itemsize))
        else:
            raise TypeError(
                f"new(): invalid data type '{type(v).__name__}'"
            )
    if any(k.startswith("c") for k in kinds):
        return _dtype.to_dtype(complex).np
    if any(k.startswith("f") for k in kinds):
        return _dtype.get_default_dtype().np
    if any(k.startswith(("i", "u")) for k in kinds):
        return np.dtype(np.int64)
    if kinds:
        return np.dtype(np.bool_)
    return _dtype.get_default_dtype().np


def _to_array(data, dtype=None) -> np.ndarray:
    """Copy ``data`` (number, nested lists, ndarray or tensor) into a new array."""
    npd = _dtype.to_dtype(dtype).np if dtype is not None else None
    if isinstance(data, Tensor):
        return np.array(data._data, dtype=npd)
    if isinstance(data, np.ndarray):
        _dtype.from_numpy_dtype(data.dtype)
        return np.array(data, dtype=npd)
    if isinstance(data, np.generic):
        return np.array(data, dtype=npd or _dtype.to_dtype(data.dtype).np)
    if npd is None:
        npd = _infer_np_dtype(data)
    if isinstance(data, (list, tuple)) and any(isinstance(v, Tensor) for v in data):
        data = [_to_array(v) if isinstance(v, Tensor) else v for v in data]
    try:
        return np.array(data, dtype=npd)
    except ValueError as e:
        raise ValueError(f"expected sequence of equal-length lists: {e}") from None
    except TypeError as e:
        raise TypeError(f"new(): invalid data: {e}") from None


def tensor(data, *, dtype=None, device=None, requires_grad: bool = False, pin_memory=False) -> Tensor:
    """A new tensor holding a copy of ``data`` (numbers, nested lists, an ndarray or a tensor).

    >>> torch.tensor([[1, 2], [3, 4.]])
    tensor([[1., 2.],
            [3., 4.]])
    """
    check_device(device)
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() "
            "or sourceTensor.detach().clone().requires_grad_(True), rather than "
            "torch.tensor(sourceTensor).",
            UserWarning,
            stacklevel=2,
        )
    t = _wrap(_to_array(data, dtype))
    if requires_grad:
        t.requires_grad_(True)
    return t


def _legacy_new(cls, *args, **kwargs):
    """``torch.Tensor(...)``: float32 data from a sequence, or uninitialised values from sizes."""
    if cls is not Tensor:
        return object.__new__(cls)
    device = kwargs.pop("device", None)
    check_device(device)
    if kwargs:
        raise TypeError(f"new() received an invalid combination of arguments: {sorted(kwargs)}")
    if len(args) == 1 and not isinstance(args[0], int):
        data = args[0]
        if isinstance(data, Tensor):
            return data
        return _wrap(_to_array(data, _dtype.float32 if _dtype.get_default_dtype() is _dtype.float32 else None).astype(_dtype.get_default_dtype().np, copy=False))
    shape = _shape_arg(args)
    return _wrap(np.zeros(shape, dtype=_dtype.get_default_dtype().np))


def _shape_arg(size) -> tuple:
    """Sizes given as varargs ``(2, 3)`` or one sequence ``((2, 3),)`` → a tuple of ints."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)) or (
        len(size) == 1 and type(size[0]).__name__ == "Size"
    ):
        size = tuple(size[0])
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = int(s)
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(
                f"expected a sequence of integers or a single integer as the size, got "
                f"{type(s).__name__}"
            )
        if s < 0:
            raise RuntimeError(
                f"Trying to create tensor with negative dimension {s}: {list(size)}"
            )
        out.append(int(s))
    return tuple(out)


def _finish(arr: np.ndarray, requires_grad: bool, device=None) -> Tensor:
    check_device(device)
    t = _wrap(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _float_dtype(dtype) -> np.dtype:
    return (_dtype.to_dtype(dtype) if dtype is not None else _dtype.get_default_dtype()).np


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False) -> Tensor:
    """A tensor of zeros of the given shape (default dtype float32)."""
    return _finish(np.zeros(_shape_arg(size), _float_dtype(dtype)), requires_grad, device)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False) -> Tensor:
    """A tensor of ones of the given shape (default dtype float32)."""
    return _finish(np.ones(_shape_arg(size), _float_dtype(dtype)), requires_grad, device)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False) -> Tensor:
    """Samples of the standard normal distribution, of the given shape."""
    from .random import numpy_rng

    npd = _float_dtype(dtype)
    arr = numpy_rng(generator).standard_normal(_shape_arg(size), dtype=np.float32 if npd == np.float32 else np.float64)
    return _finish(arr.astype(npd, copy=False), requires_grad, device)

__all__ = ["tensor", "zeros", "ones", "randn"]
