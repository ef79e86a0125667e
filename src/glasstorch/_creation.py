"""Creating tensors: from data (``tensor``, ``as_tensor``, ``from_numpy``) and from shapes.

Data keeps its dtype where torch keeps it (a float64 ndarray stays float64, a list of ``np.int32``
scalars is int32) and takes torch's defaults where it has none (Python floats → the default float,
float32; ints → int64; bools → bool). ``tensor`` always copies; ``as_tensor``, ``asarray`` and
``from_numpy`` share memory with an ndarray of the same dtype.

Shape factories (``zeros``, ``ones``, ``full``, ``empty``, ``eye``, ``arange``, ``linspace``) take
the size as varargs (``zeros(2, 3)``) or one sequence (``zeros((2, 3))``). The random factories
(``rand``, ``normal``, …) live in ``_sampling``; the ``*_like`` ones below copy shape and dtype.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from . import (
    _array,
    _dtype,
    _fillers,  # noqa: F401  (binds t.normal_(), t.uniform_(), ... on Tensor)
)
from ._device import _default, check_device, place
from ._factory import (
    _dtype_or,
    _factory_dtype,
    _grad_flag,
    _result,
    _result_like,
    _shape_arg,
    _to_array,
    blank_like,
)
from ._legacy import *  # noqa: F401,F403  (FloatTensor, LongTensor, ...)
from ._legacy import __all__ as _legacy_all
from ._printing import set_printoptions  # noqa: F401
from ._sampling import *  # noqa: F401,F403  (random factories, also exported from here)
from ._sampling import __all__ as _sampling_all
from ._tensor import Tensor, _wrap
from .ops._checks import scalar_for

_F64 = np.dtype(np.float64)


# ---- from data ------------------------------------------------------------------------------
def tensor(data, *, dtype=None, device=None, requires_grad: bool = False,
           pin_memory: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (numbers, nested lists, an ndarray or a tensor).

    >>> torch.tensor([[1, 2], [3, 4.]])          # one float makes the whole tensor float32
    tensor([[1., 2.],
            [3., 4.]])
    >>> torch.tensor(np.zeros(2)).dtype          # ndarrays keep their dtype
    torch.float64
    """
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use sourceTensor.detach()."
            "clone() or sourceTensor.detach().clone().requires_grad_(True), rather than "
            "torch.tensor(sourceTensor).",
            UserWarning,
            stacklevel=2,
        )
    arr = _to_array(data, dtype)
    if device is None:  # (a tensor's data too goes to the default device, as in torch)
        device = _default[0]
    return _grad_flag(_wrap(arr if device is None else place(arr, device)), requires_grad)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """``data`` as a tensor, sharing memory when it can (a tensor or ndarray of the same dtype,
    on the same device)."""
    if device is None:
        device = _default[0]
    if isinstance(data, Tensor):
        from .ops.conversion import to

        return to(data, **({} if dtype is None else {"dtype": dtype}),
                  **({} if device is None else {"device": device}))
    if isinstance(data, np.ndarray) and (dtype is None or _dtype.to_dtype(dtype).np == data.dtype):
        return from_numpy(data) if device is None else _wrap(place(data, device))
    arr = _to_array(data, dtype)
    return _wrap(arr if device is None else place(arr, device))


def asarray(obj, *, dtype=None, device=None, copy: bool | None = None,
            requires_grad: bool = False) -> Tensor:
    """``obj`` as a tensor: shares memory with a tensor or ndarray unless a copy is needed.

    ``copy=True`` always copies; ``copy=False`` raises instead of copying.
    """
    if device is None:
        device = _default[0]
    if device is not None and not (isinstance(obj, Tensor) and obj.device == device):
        check_device(device)
        moved = _asarray(obj, dtype, copy, False)
        return _grad_flag(_wrap(place(moved._data, device)), requires_grad)
    return _asarray(obj, dtype, copy, requires_grad)


def _asarray(obj, dtype, copy, requires_grad) -> Tensor:
    """``asarray`` where ``obj`` is (a tensor or an ndarray), or on the CPU (data)."""
    want = _dtype.to_dtype(dtype) if dtype is not None else None
    if isinstance(obj, (Tensor, np.ndarray)):
        arr = obj._data if isinstance(obj, Tensor) else obj
        same = want is None or want.np == arr.dtype
        if copy is False and not same:
            have = _dtype.from_numpy_dtype(arr.dtype)
            raise ValueError(
                f"can't alias tensor with dtype '{have.scalar_name}' into dtype "
                f"'{want.scalar_name}'."
            )
        if copy or not same:
            out = _wrap(arr.astype(want.np if want is not None else arr.dtype))
        elif isinstance(obj, Tensor):
            out = obj
        else:
            out = from_numpy(obj)
        return _grad_flag(out, requires_grad) if requires_grad else out
    return _grad_flag(_wrap(_to_array(obj, dtype)), requires_grad)


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``ndarray``: writes to either show in the other."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    if ndarray.dtype.kind in "OUSV":
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{ndarray.dtype.type.__name__}. The only "
            "supported types are: float64, float32, float16, complex64, complex128, int64, int32, "
            "int16, int8, uint8, and bool."
        )
    _dtype.from_numpy_dtype(ndarray.dtype)
    return _wrap(ndarray)


# ---- from shapes ----------------------------------------------------------------------------
def zeros(*sizes, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None) -> Tensor:
    """A tensor of zeros, shape ``size`` (``zeros(2, 3)`` or ``zeros((2, 3))``), default float."""
    npd = _factory_dtype(dtype, out, _dtype._default.float)
    shape = _shape_arg(sizes if size is None else (size,), "zeros")
    if device is None and out is None and _default[0] is None:  # (the CPU: the common case)
        return _result(np.zeros(shape, npd), requires_grad)
    return _result(_made("zeros", shape, npd, device, out), requires_grad, device, out, "zeros")


def ones(*sizes, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False, memory_format=None) -> Tensor:
    """A tensor of ones, shape ``size``, default float."""
    npd = _factory_dtype(dtype, out, _dtype._default.float)
    shape = _shape_arg(sizes if size is None else (size,), "ones")
    if device is None and out is None and _default[0] is None:  # (the CPU: the common case)
        return _result(np.ones(shape, npd), requires_grad)
    return _result(_made("ones", shape, npd, device, out), requires_grad, device, out, "ones")


def empty(*sizes, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None) -> Tensor:
    """A tensor of shape ``size`` whose values are whatever memory held: fill it before reading."""
    npd = _factory_dtype(dtype, out, _dtype._default.float)
    shape = _shape_arg(sizes if size is None else (size,), "empty")
    if device is None and out is None and _default[0] is None:  # (the CPU: the common case)
        return _result(np.empty(shape, npd), requires_grad)
    return _result(_made("empty", shape, npd, device, out), requires_grad, device, out, "empty")


def _made(fill: str, shape: tuple, npd, device, out, *args):
    """``numpy.<fill>(shape, *args, npd)`` (zeros, ones, empty, full) made where the factory's
    result will live: on a GPU directly, rather than on the host and then copied."""
    if device is None and out is None:
        device = _default[0]
    index = None if device is None else check_device(device)
    if index is None:  # the CPU (``out=`` then moves it where ``out`` lives)
        return getattr(np, fill)(shape, *args, npd)
    xp = _array.cuda().xp
    with xp.cuda.Device(index):
        return getattr(xp, fill)(shape, *args, npd)


def _fill_dtype(fill_value) -> _dtype.dtype:
    if isinstance(fill_value, Tensor):
        return _dtype._from_np[fill_value._data.dtype]
    return _dtype.scalar_dtype(fill_value)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False) -> Tensor:
    """A tensor of shape ``size`` (a tuple) filled with ``fill_value``.

    The dtype follows the value: bool → bool, int → int64, float → the default float.
    """
    if not isinstance(size, (tuple, list)):
        raise TypeError(
            f"full(): argument 'size' (position 1) must be tuple of ints, not {type(size).__name__}"
        )
    npd = _factory_dtype(dtype, out, _fill_dtype(fill_value))
    value = (_array.to_host(fill_value._data)[()] if isinstance(fill_value, Tensor)
             else scalar_for(fill_value, np.dtype(npd)))  # 1e20 into int64: torch's error
    shape = _shape_arg((size,), "full")
    if device is None and out is None and _default[0] is None:  # (the CPU: the common case)
        return _result(np.full(shape, value, npd), requires_grad)
    return _result(_made("full", shape, npd, device, out, value), requires_grad, device, out)


def eye(n: int, m: int | None = None, *, out=None, dtype=None, layout=None, device=None,
        requires_grad=False, pin_memory=False) -> Tensor:
    """The ``n × m`` identity matrix (``m`` defaults to ``n``): ones on the diagonal."""
    for name, v in (("n", n), ("m", m)):
        if v is not None and v < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {v}")
    npd = _factory_dtype(dtype, out, _dtype._default.float)
    return _result(np.eye(n, n if m is None else m, dtype=npd), requires_grad, device, out)


def _number(v, op: str):
    if isinstance(v, Tensor):
        return v.item()
    if isinstance(v, np.generic):
        return v.item()
    if not isinstance(v, (int, float)):
        raise TypeError(f"{op}() received an invalid argument: expected a number, got "
                        f"{type(v).__name__}")
    return v


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False) -> Tensor:
    """``[start, start + step, …]`` stopping before ``end``; ``arange(n)`` is ``0 … n-1``.

    All-integer arguments give int64, any float gives the default float. The length is
    ``ceil((end - start) / step)``, computed in double precision as torch does.
    """
    if end is None:
        start, end = 0, start
    start, end, step = (_number(v, "arange") for v in (start, end, step))
    floats = any(isinstance(v, float) for v in (start, end, step))
    npd = _factory_dtype(dtype, out, _dtype._default.float if floats else _dtype.int64)
    if npd.kind in "iub" and floats and all(math.isfinite(v) for v in (start, end, step)):
        start, end, step = int(start), int(end), int(step)  # an integer range truncates first
    if step == 0:
        raise RuntimeError("step must be nonzero")
    for v in (start, end):
        if not math.isfinite(v):
            raise RuntimeError(f"unsupported range: {start} -> {end}")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if npd.kind == "f":
        n = math.ceil((end - start) / step)
        arr = (start + np.arange(n, dtype=np.float64) * step).astype(npd, copy=False)
    else:
        arr = np.arange(start, end, step, dtype=npd)
    return _result(arr, requires_grad, device, out)


def _linear_steps(start: float, end: float, steps: int, npd: np.dtype = _F64) -> np.ndarray:
    """``steps`` evenly spaced values, computed from both ends (torch's symmetric formula: the
    first half counts up from ``start``, the second half down from ``end``) in floating dtype
    ``npd``, so that float32 results round as torch's do."""
    if steps == 1:
        return np.array([start], dtype=npd)
    lo, hi = npd.type(start), npd.type(end)
    step = (hi - lo) / npd.type(steps - 1)
    i = np.arange(steps, dtype=npd)
    return np.where(i < steps // 2, lo + i * step, hi - (npd.type(steps - 1) - i) * step)


def linspace(start, end, steps: int, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive (default float)."""
    start, end = _number(start, "linspace"), _number(end, "linspace")
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    npd = _factory_dtype(dtype, out, _dtype._default.float)
    vals = _linear_steps(start, end, steps, npd if npd.kind == "f" else _F64)
    if npd.kind in "iub":
        vals = np.trunc(vals)
    return _result(vals.astype(npd), requires_grad, device, out)


def logspace(start, end, steps: int, base: float = 10.0, *, out=None, dtype=None, layout=None,
             device=None, requires_grad=False) -> Tensor:
    """``base ** linspace(start, end, steps)``: values evenly spaced on a log scale."""
    start, end = _number(start, "logspace"), _number(end, "logspace")
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    npd = _factory_dtype(dtype, out, _dtype._default.float)
    vals = np.power(float(base), _linear_steps(start, end, steps))
    return _result(vals.astype(npd), requires_grad, device, out)


# ---- *_like: the shape (and by default the dtype) of another tensor -------------------------
def _like(input, op: str, dtype) -> tuple:
    """``(shape, NumPy dtype)`` of the tensor a ``*_like`` factory makes (on ``input``'s device,
    unless ``device=``)."""
    if not isinstance(input, Tensor):
        raise TypeError(
            f"{op}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}"
        )
    return input._data.shape, _dtype_or(dtype, _dtype._from_np[input._data.dtype])


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None) -> Tensor:
    """Zeros with the shape and dtype of ``input``."""
    shape, npd = _like(input, "zeros_like", dtype)
    x = input._data
    arr = np.zeros(shape, npd) if type(x) is np.ndarray else blank_like(x, "zeros", shape, npd)
    return _result_like(arr, requires_grad, device)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None) -> Tensor:
    """Ones with the shape and dtype of ``input``."""
    shape, npd = _like(input, "ones_like", dtype)
    x = input._data
    arr = np.ones(shape, npd) if type(x) is np.ndarray else blank_like(x, "ones", shape, npd)
    return _result_like(arr, requires_grad, device)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None) -> Tensor:
    """An uninitialised tensor with the shape and dtype of ``input``."""
    shape, npd = _like(input, "empty_like", dtype)
    x = input._data
    arr = np.empty(shape, npd) if type(x) is np.ndarray else blank_like(x, "empty", shape, npd)
    return _result_like(arr, requires_grad, device)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None) -> Tensor:
    """``fill_value`` everywhere, with the shape and dtype of ``input`` (2.5 in int64 is 2)."""
    shape, npd = _like(input, "full_like", dtype)
    value = (_array.to_host(fill_value._data)[()] if isinstance(fill_value, Tensor)
             else scalar_for(fill_value, np.dtype(npd)))  # 1e20 into int64: torch's error
    arr = blank_like(input._data, "full", shape, npd, value)
    return _result_like(arr, requires_grad, device)


__all__ = [
    "tensor", "as_tensor", "asarray", "from_numpy", "zeros", "ones", "empty", "full", "eye",
    "arange", "linspace", "logspace", "zeros_like", "ones_like", "empty_like", "full_like",
    "set_printoptions",
] + _sampling_all + _legacy_all
