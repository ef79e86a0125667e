"""The legacy typed constructors: ``torch.FloatTensor``, ``torch.LongTensor`` and friends.

``torch.LongTensor([1, 2])`` makes an int64 tensor from data; ``torch.FloatTensor(2, 3)`` a float32
tensor of that shape. They are also types for ``isinstance``: ``isinstance(t, torch.FloatTensor)``
is true for a float32 tensor. ``torch.Tensor(...)`` itself takes the same arguments and makes the
default float dtype.
"""

from __future__ import annotations

import numpy as np

from . import _dtype
from ._creation import _to_array
from ._device import check_device
from ._factory import _legacy_name, _shape_arg
from ._tensor import Tensor, _wrap


def _typed_new(name: str, dt: _dtype.dtype, args, kwargs) -> Tensor:
    """Shared body of ``torch.Tensor(...)`` and the typed constructors (``torch.LongTensor``)."""
    check_device(kwargs.pop("device", None))
    if kwargs:
        raise TypeError(f"{name}() got unexpected keyword arguments {sorted(kwargs)}")
    if not args:
        return _wrap(np.empty((0,), dt.np))
    if len(args) == 1 and not isinstance(args[0], (int, np.integer)):
        data = args[0]
        if isinstance(data, Tensor):
            if name == "Tensor" or data._data.dtype == dt.np:
                return data
            raise TypeError(
                f"expected {_legacy_name(dt)} data (got {_legacy_name(data.dtype)}): use "
                f"tensor.to(torch.{dt.name}) to convert a tensor"
            )
        if isinstance(data, (float, complex, bool)):
            raise TypeError(f"new(): data must be a sequence (got {type(data).__name__})")
        if isinstance(data, (tuple, list, np.ndarray)) or type(data).__name__ == "Size":
            return _wrap(_to_array(data).astype(dt.np, copy=False))
    return _wrap(np.zeros(_shape_arg(args, name), dtype=dt.np))


class _LegacyTypeMeta(type):
    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, Tensor) and obj._data.dtype == cls._dt.np

    def __call__(cls, *args, **kwargs) -> Tensor:
        return _typed_new(cls.__name__, cls._dt, args, kwargs)

    def __repr__(cls) -> str:
        return f"<class 'torch.{cls.__name__}'>"


def _legacy_type(dt: _dtype.dtype):
    name = _legacy_name(dt) + "Tensor"
    doc = (f"``torch.{name}(data)`` or ``torch.{name}(*sizes)``: a {dt!r} tensor "
           f"(``isinstance(t, torch.{name})`` checks the dtype).")
    return _LegacyTypeMeta(name, (), {"_dt": dt, "__doc__": doc})


FloatTensor = _legacy_type(_dtype.float32)
DoubleTensor = _legacy_type(_dtype.float64)
HalfTensor = _legacy_type(_dtype.float16)
LongTensor = _legacy_type(_dtype.int64)
IntTensor = _legacy_type(_dtype.int32)
ShortTensor = _legacy_type(_dtype.int16)
CharTensor = _legacy_type(_dtype.int8)
ByteTensor = _legacy_type(_dtype.uint8)
BoolTensor = _legacy_type(_dtype.bool_)


__all__ = [
    "FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor", "ShortTensor",
    "CharTensor", "ByteTensor", "BoolTensor",
]
