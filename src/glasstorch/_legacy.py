"""The legacy typed constructors: ``torch.FloatTensor``, ``torch.LongTensor`` and friends.

``torch.LongTensor([1, 2])`` makes an int64 tensor from data; ``torch.FloatTensor(2, 3)`` a float32
tensor of that shape. They are also types for ``isinstance``: ``isinstance(t, torch.FloatTensor)``
is true for a float32 tensor. ``torch.Tensor(...)`` itself takes the same arguments and makes the
default float dtype.
"""

from __future__ import annotations

import warnings

import numpy as np

from . import _array, _dtype
from ._device import check_device, place
from ._factory import _result, _result_like, _shape_arg, _to_array, blank_like
from ._tensor import Tensor, _wrap


def _typed_new(name: str, dt: _dtype.dtype, args, kwargs) -> Tensor:
    """Shared body of ``torch.Tensor(...)`` and the typed constructors (``torch.LongTensor``).
    They make CPU tensors unless given ``device=``: as in torch, ``set_default_device`` does not
    reach them."""
    device = kwargs.pop("device", None)
    check_device(device)
    t = _typed_body(name, dt, args, kwargs)
    if device is None:
        return t
    return _wrap(place(t._data, device))


def _typed_body(name: str, dt: _dtype.dtype, args, kwargs) -> Tensor:
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
                f"expected {dt.scalar_name} data (got {data.dtype.scalar_name}): use "
                f"tensor.to(torch.{dt.name}) to convert a tensor"
            )
        if isinstance(data, (float, complex, bool)):
            raise TypeError(f"new(): data must be a sequence (got {type(data).__name__})")
        if isinstance(data, (tuple, list, np.ndarray)) or type(data).__name__ == "Size":
            return _wrap(_to_array(data).astype(dt.np, copy=False))
    return _wrap(np.zeros(_shape_arg(args, name), dtype=dt.np))


def _legacy_new(cls, *args, **kwargs):
    """``torch.Tensor(...)``: default-float data from a sequence, or a tensor of given sizes."""
    if cls is not Tensor:
        return object.__new__(cls)
    return _typed_new("Tensor", _dtype.get_default_dtype(), args, kwargs)


class _LegacyTypeMeta(type):
    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, Tensor) and obj._data.dtype == cls._dt.np

    def __call__(cls, *args, **kwargs) -> Tensor:
        return _typed_new(cls.__name__, cls._dt, args, kwargs)

    def __repr__(cls) -> str:
        return f"<class 'torch.{cls.__name__}'>"


def _legacy_type(dt: _dtype.dtype):
    name = dt.tensor_type
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


# ---- tensor.new_*: factories that default to this tensor's dtype ----------------------------
def _self_dtype(self: Tensor, dtype) -> np.dtype:
    return self._data.dtype if dtype is None else _dtype.to_dtype(dtype).np


def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False, layout=None,
               pin_memory=False) -> Tensor:
    """A copy of ``data`` as a tensor of this tensor's dtype (unless ``dtype=`` says otherwise)."""
    from ._creation import tensor

    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use sourceTensor.detach()."
            "clone() or sourceTensor.detach().clone().requires_grad_(True), rather than "
            "tensor.new_tensor(sourceTensor).",
            UserWarning,
            stacklevel=2,
        )
        data = data._data
    dt = _dtype._from_np[_self_dtype(self, dtype)]
    return tensor(data, dtype=dt, device=self.device if device is None else device,
                  requires_grad=requires_grad)


def _new_factory(fill: str):
    def method(self, *sizes, dtype=None, device=None, requires_grad=False, layout=None,
               pin_memory=False, size=None) -> Tensor:
        shape = _shape_arg(sizes if size is None else (size,), f"new_{fill}")
        arr = blank_like(self._data, fill, shape, _self_dtype(self, dtype))
        return _result_like(arr, requires_grad, device)

    method.__name__ = f"new_{fill}"
    method.__doc__ = (f"A tensor of {fill} of the given size, in this tensor's dtype and on its "
                      "device (unless ``dtype=``, ``device=``).")
    return method


new_zeros = _new_factory("zeros")
new_ones = _new_factory("ones")
new_empty = _new_factory("empty")


def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False,
             layout=None, pin_memory=False) -> Tensor:
    """A tensor of shape ``size`` filled with ``fill_value``, in this tensor's dtype."""
    if isinstance(fill_value, Tensor):
        fill_value = _array.to_host(fill_value._data)[()]
    arr = blank_like(self._data, "full", _shape_arg((size,), "new_full"), _self_dtype(self, dtype),
                     fill_value)
    return _result_like(arr, requires_grad, device)


def new(self, *args, **kwargs) -> Tensor:
    """Legacy ``x.new(...)``: like ``torch.Tensor(...)`` but in ``x``'s dtype."""
    return _typed_new("new", _dtype._from_np[self._data.dtype], args, kwargs)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False, layout=None,
                  pin_memory=False) -> Tensor:
    """A 0-d tensor holding the number ``s``, in the default float dtype unless ``dtype=``."""
    npd = _dtype.get_default_dtype().np if dtype is None else _dtype.to_dtype(dtype).np
    return _result(np.array(s, dtype=npd), requires_grad, device)


Tensor.new_tensor, Tensor.new_zeros, Tensor.new_ones = new_tensor, new_zeros, new_ones
Tensor.new_empty, Tensor.new_full, Tensor.new = new_empty, new_full, new

__all__ += ["scalar_tensor"]
