"""Conversion: changing a tensor's dtype or device (``to``, ``float()``, ``long()``, ``type``),
and the in-place writers ``copy_``, ``fill_`` and ``zero_``.

A conversion to the dtype (and device) a tensor already has returns the tensor itself; anything
else makes a copy. Casting between floating (or complex) dtypes is differentiable
(``ToCopyBackward0`` casts the gradient back); casting to an integer or bool dtype cuts the graph.
A move to another device (``to('cuda')``, ``cpu()``) is a copy too, also in the graph: the
gradient moves back to the device the tensor came from.
"""

from __future__ import annotations

import numpy as np

from .. import _array, _dtype
from .._device import device, gpu_index
from .._errors import not_tensor
from .._factory import writable
from .._tensor import Tensor, _wrap
from ..autograd.graph import Node, attach
from . import _inplace
from ._broadcast import unbroadcast
from ._checks import check_overlap, scalar_for

_BY_TYPE_NAME = {f"torch.{d.tensor_type}": d for d in _dtype.ALL}  # "torch.FloatTensor": float32


def _cast(input: Tensor, dt: _dtype.dtype, copy: bool = False) -> Tensor:
    """``input`` in dtype ``dt``: itself when nothing changes (unless ``copy``), else a copy that
    stays in the graph when both dtypes are floating or complex."""
    arr = input._data
    if arr.dtype == dt.np and not copy:
        return input
    res = _wrap(arr.astype(dt.np))
    if dt.np.kind not in "fc":  # an integer or bool result cannot carry a gradient
        return res
    return attach(res, ToCopyBackward0, input)


def _move(input: Tensor, index: int | None, dt: _dtype.dtype) -> Tensor:
    """``input`` copied to GPU ``index`` (None: the host) in dtype ``dt``, in the graph when both
    dtypes are floating or complex."""
    arr = input._data
    moved = _array.to_host(arr) if index is None else _array.to_device(arr, index)
    if moved is arr:
        moved = arr.copy()
    res = _wrap(moved if moved.dtype == dt.np else moved.astype(dt.np))
    if dt.np.kind not in "fc" or arr.dtype.kind not in "fc":
        return res
    return attach(res, ToCopyBackward0, input)


class ToCopyBackward0(Node):
    """The gradient of a cast (or a move) is the incoming gradient cast back to the input's dtype
    (and moved back to its device)."""

    def __init__(self, input):
        super().__init__(input)
        self.dtype = input.dtype
        self.index = _array.device_index(input._data)

    def backward(self, grad):
        if _array.device_index(grad._data) != self.index:
            return _move(grad, None if self.index < 0 else self.index, self.dtype)
        if grad._data.dtype == self.dtype.np:
            return grad
        return _cast(grad, self.dtype)


def _parse_to(args, kwargs):
    """Read ``to``'s overloads: ``(dtype)``, ``(device, dtype)``, ``(tensor)`` and keywords."""
    dt = kwargs.pop("dtype", None)
    dev = kwargs.pop("device", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() received an invalid keyword argument: {sorted(kwargs)[0]!r}")
    rest = list(args)
    if rest and isinstance(rest[0], Tensor):
        other = rest.pop(0)
        dt, dev = other.dtype, other.device
    elif rest and isinstance(rest[0], (str, device, int)) and not isinstance(rest[0], bool):
        dev = rest.pop(0)
    if rest and (isinstance(rest[0], _dtype.dtype) or rest[0] in (float, int, bool, complex)):
        dt = rest.pop(0)
    if rest and isinstance(rest[0], bool):  # positional non_blocking, then copy
        rest.pop(0)
        if rest and isinstance(rest[0], bool):
            copy = rest.pop(0)
    if rest:
        raise TypeError(
            f"to() received an invalid combination of arguments - got {tuple(args)!r}: expected "
            "to(dtype), to(device), to(device, dtype) or to(other_tensor)"
        )
    return dt, dev, copy


def to(self, *args, **kwargs) -> Tensor:
    """This tensor with another dtype and/or device: ``t.to(torch.float64)``, ``t.to('cpu')``,
    ``t.to('cuda')``, ``t.to('cpu', torch.int64)``, ``t.to(other)`` (other's dtype and device).
    Returns ``self`` when nothing changes, unless ``copy=True``. ``non_blocking`` is accepted
    (copies are synchronous here).
    """
    dt, dev, copy = _parse_to(args, kwargs)
    if dev is not None:
        index = gpu_index(dev)
        if index != _array.device_index(self._data) and not (index is None and
                                                              _array.on_host(self._data)):
            return _move(self, index, self.dtype if dt is None else _dtype.to_dtype(dt))
    if dt is None:
        return _cast(self, self.dtype, True) if copy else self
    return _cast(self, _dtype.to_dtype(dt), copy)


def _caster(dt: _dtype.dtype, name: str):
    def method(self, memory_format=None) -> Tensor:
        return _cast(self, dt)

    method.__name__ = name
    method.__doc__ = f"``self.to({dt!r})``: this tensor as {dt.name} (itself if it already is)."
    return method


float_ = _caster(_dtype.float32, "float")
double = _caster(_dtype.float64, "double")
half = _caster(_dtype.float16, "half")
long = _caster(_dtype.int64, "long")
int_ = _caster(_dtype.int32, "int")
short = _caster(_dtype.int16, "short")
char = _caster(_dtype.int8, "char")
byte = _caster(_dtype.uint8, "byte")
bool_ = _caster(_dtype.bool_, "bool")
cfloat = _caster(_dtype.complex64, "cfloat")
cdouble = _caster(_dtype.complex128, "cdouble")


def type_(self, dtype=None, non_blocking: bool = False, **kwargs):
    """With no argument, the type name (``'torch.FloatTensor'``, ``'torch.cuda.FloatTensor'`` on
    a GPU); with a dtype, a type name or a legacy type (``torch.DoubleTensor``), this tensor
    converted to it (a type name also says the device: ``'torch.cuda.LongTensor'``)."""
    on_gpu = not _array.on_host(self._data)
    if dtype is None:
        return f"torch.{'cuda.' if on_gpu else ''}{self.dtype.tensor_type}"
    if isinstance(dtype, str):
        name = dtype.replace("torch.cuda.", "torch.", 1)
        if name not in _BY_TYPE_NAME:
            raise ValueError(f"invalid type: '{dtype}'")
        if (name != dtype) != on_gpu:  # the name's device differs from the tensor's
            return to(self, "cuda" if name != dtype else "cpu", _BY_TYPE_NAME[name])
        return _cast(self, _BY_TYPE_NAME[name])
    legacy = getattr(dtype, "_dt", None)
    return _cast(self, legacy if legacy is not None else _dtype.to_dtype(dtype))


def type_as(self, other: Tensor) -> Tensor:
    """This tensor in ``other``'s dtype."""
    return _cast(self, other.dtype)


# ---- in-place writers -----------------------------------------------------------------------
def copy_(self, src, non_blocking: bool = False) -> Tensor:
    """Write ``src``'s values into this tensor (same object), broadcasting ``src`` to this shape
    and casting to this dtype. Recorded in the graph (``CopyBackwards``) when ``src`` requires
    grad: the gradient flows to ``src``, none to the overwritten values. A Python number is
    copied as the 0-d tensor it makes (``x.copy_(3)`` sets every element to 3, cast as a tensor
    is: no overflow check, unlike ``fill_``)."""
    if isinstance(src, (bool, int, float, complex)):
        src = _wrap(np.asarray(src, dtype=_dtype.result_type(src).np))
    elif not isinstance(src, Tensor):
        raise not_tensor("copy_", src, "other", 1)
    if 0 in self._data.strides:
        _inplace.check_internal_overlap(self._data)
    check_overlap(self._data, src._data)
    record = _inplace.recording(self, src)
    node = CopyBackwards(_inplace.old_value(self), src) if record else None
    dst = writable(self)
    if src._data.ndim > dst.ndim or dst.shape[dst.ndim - src._data.ndim:] != src._data.shape:
        try:  # broadcasting needed (NumPy's assignment would also accept extra leading 1s)
            np.broadcast_to(src._data, dst.shape)
        except ValueError:
            from .._sampling import _mismatch  # _sampling builds on the ops: a circle at the top

            raise RuntimeError(_mismatch(dst.shape, src._data.shape)) from None

    values = src._data
    if type(values) is not type(dst):  # copy_ moves values between the CPU and a GPU, as torch
        values = _to_array_of(dst, values)

    def do_write():
        dst[...] = values
        self._vc[0] += 1

    return _inplace.rewrite_history(self, node if self._data.dtype.kind in "fc" else None, do_write)


def _to_array_of(dst, values):
    """``values`` (an array, or a NumPy scalar) on ``dst``'s device."""
    if _array.on_host(dst):
        return _array.to_host(values)
    return _array.to_device(values, _array.device_index(dst))


class CopyBackwards(Node):
    """``dst.copy_(src)``: ``src`` gets the gradient summed back to its shape, in its dtype;
    the overwritten values of ``dst`` get zero."""

    def __init__(self, old, src):
        super().__init__(old, src)
        self.old_shape, self.old_dtype = old._data.shape, old._data.dtype
        self.src_shape, self.src_dtype = src._data.shape, src.dtype
        self.src_index = _array.device_index(src._data)

    def backward(self, grad):
        g_old, g_src = self.needs_input_grad
        gs = None
        if g_src:
            gs = unbroadcast(grad, self.src_shape)
            if _array.device_index(gs._data) != self.src_index:  # back to src's device
                gs = _move(gs, None if self.src_index < 0 else self.src_index, self.src_dtype)
            elif gs._data.dtype != self.src_dtype.np:
                gs = _cast(gs, self.src_dtype)
        return (_zeros(grad, self.old_shape, self.old_dtype) if g_old else None), gs


def _zeros(grad: Tensor, shape: tuple, dtype) -> Tensor:
    """Zeros of ``shape`` and ``dtype`` on ``grad``'s device: the gradient of overwritten values."""
    return _wrap(_array.namespace(grad._data).zeros(shape, dtype))


def fill_(self, value) -> Tensor:
    """Set every element to ``value`` (a number or a 0-d tensor), in place."""
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(
                "fill_ only supports 0-dimension value tensor but got tensor with "
                f"{value._data.ndim} dimensions."
            )
        record = _inplace.recording(self, value)
        node = FillBackward3(_inplace.old_value(self), value) if record else None
        fill = value._data
        if type(fill) is not type(self._data):  # a 0-d tensor of another device: its number
            fill = _to_array_of(self._data, fill)
    elif isinstance(value, (bool, int, float, complex, np.generic)):
        fill = scalar_for(value, self._data.dtype)  # torch's overflow check: 1e20 into int64
        record = _inplace.recording(self)
        node = FillBackward2(_inplace.old_value(self)) if record else None
    else:
        raise TypeError(
            f"fill_() received an invalid combination of arguments - got "
            f"({type(value).__name__}): expected a number or a 0-dimension Tensor value"
        )
    def do_write():
        writable(self)[...] = fill
        self._vc[0] += 1

    return _inplace.rewrite_history(self, node, do_write)


class FillBackward2(Node):
    """``fill_(number)``: the old values get zero gradient."""

    def __init__(self, old):
        super().__init__(old)
        self.shape, self.np_dtype = old._data.shape, old._data.dtype

    def backward(self, grad):
        return _zeros(grad, self.shape, self.np_dtype)


class FillBackward3(FillBackward2):
    """``fill_(0-d tensor)``: the value was copied everywhere, so its gradient is the sum."""

    def __init__(self, old, value):
        Node.__init__(self, old, value)
        self.shape, self.np_dtype = old._data.shape, old._data.dtype

    def backward(self, grad):
        g_old, g_value = self.needs_input_grad
        return (_zeros(grad, self.shape, self.np_dtype) if g_old else None,
                grad.sum() if g_value else None)


def zero_(self) -> Tensor:
    """Set every element to zero, in place (same object)."""
    node = ZeroBackward0(_inplace.old_value(self)) if _inplace.recording(self) else None
    def do_write():
        writable(self)[...] = 0
        self._vc[0] += 1

    return _inplace.rewrite_history(self, node, do_write)


class ZeroBackward0(FillBackward2):
    """``zero_()``: the old values get zero gradient."""


Tensor.to, Tensor.type, Tensor.type_as = to, type_, type_as
Tensor.float, Tensor.double, Tensor.half, Tensor.long, Tensor.int = float_, double, half, long, int_
Tensor.short, Tensor.char, Tensor.byte, Tensor.bool = short, char, byte, bool_
Tensor.cfloat, Tensor.cdouble = cfloat, cdouble
Tensor.copy_, Tensor.fill_, Tensor.zero_ = copy_, fill_, zero_

__all__: list = []
