"""What every tensor factory shares: reading nested Python data into an array (with torch's
dtype inference), reading a size, choosing the dtype, finishing the result (device check,
``out=``, ``requires_grad=``). Used by ``_creation``, ``_sampling`` and ``_legacy``."""

from __future__ import annotations

import warnings

import numpy as np

from . import _array, _dtype
from ._device import _default, place
from ._tensor import Tensor, _wrap

_SCALARS = (bool, int, float, complex)


# ---- dtype inference for nested Python data -------------------------------------------------
def _item_dtype(v) -> _dtype.dtype:
    """The dtype torch gives one leaf of nested data (a Python or NumPy scalar, a 0-d tensor)."""
    if isinstance(v, Tensor):
        if v._data.ndim:
            hint = " (torch.tensor got a list of multi-element tensors: use torch.stack(tensors))"
            if v._data.dtype.kind in "fc":
                raise ValueError("only one element tensors can be converted to Python scalars"
                                 + hint)
            raise TypeError(
                "only integer tensors of a single element can be converted to an index" + hint
            )
        return _dtype._from_np[v._data.dtype]
    if isinstance(v, (np.ndarray, np.generic)):
        return _dtype.from_numpy_dtype(v.dtype)
    if isinstance(v, str):
        raise TypeError(f"new(): invalid data type '{type(v).__name__}'")
    try:
        return _dtype.scalar_dtype(v)
    except TypeError:
        raise RuntimeError(f"Could not infer dtype of {type(v).__name__}") from None


def _infer_dtype(data) -> _dtype.dtype:
    """torch's rule for nested sequences: promote_types over the dtype of every leaf.

    A Python float counts as the default float, an int as int64, so ``[np.float16(1), 2]`` is
    float16 and ``[1, 2.5]`` float32. An empty sequence is the default float.
    """
    found = None
    stack = [data]
    promote = _dtype.promote_types
    while stack:
        v = stack.pop()
        if isinstance(v, (list, tuple)):
            kinds = set(map(type, v))
            if kinds <= {float, int, bool} and v:
                d = (_dtype._default.float if float in kinds
                     else _dtype.int64 if int in kinds else _dtype.bool_)
                found = d if found is None else promote(found, d)
            else:
                stack.extend(v)
        elif isinstance(v, np.ndarray) and v.ndim:
            d = _dtype.from_numpy_dtype(v.dtype)
            found = d if found is None else promote(found, d)
        elif isinstance(v, range):
            stack.extend(v)
        else:
            d = _item_dtype(v)
            found = d if found is None else promote(found, d)
    return found if found is not None else _dtype.get_default_dtype()


def _ragged_error(data) -> Exception:
    """torch's message for nested lists whose lengths disagree, naming the dimension."""
    shape, v = [], data
    while isinstance(v, (list, tuple)):
        shape.append(len(v))
        if not v:
            break
        v = v[0]

    def walk(v, dim):
        if dim == len(shape):
            if isinstance(v, (list, tuple)):
                return ValueError(
                    f"expected a number at dim {dim} but found a sequence of length {len(v)}"
                )
            return None
        if not isinstance(v, (list, tuple)):
            return TypeError(
                f"not a sequence (torch.tensor expected a list of length {shape[dim]} at dim "
                f"{dim} but found a {type(v).__name__}; every row must have the same length)"
            )
        if len(v) != shape[dim]:
            return ValueError(
                f"expected sequence of length {shape[dim]} at dim {dim} (got {len(v)})"
            )
        for item in v:
            err = walk(item, dim + 1)
            if err is not None:
                return err
        return None

    return walk(data, 0) or ValueError("torch.tensor: could not build a tensor from this data")


def _to_array(data, dtype=None) -> np.ndarray:
    """Copy ``data`` (number, nested lists, ndarray or tensor) into a new array."""
    npd = _dtype.to_dtype(dtype).np if dtype is not None else None
    if type(data) is list and data:
        kinds = set(map(type, data))  # a flat list of Python ints or floats: the common case
        if kinds == {int} or kinds == {float} or kinds == {int, float}:
            inferred = np.int64 if float not in kinds else _dtype.get_default_dtype().np
            try:
                return np.array(data, dtype=npd or inferred)
            except (OverflowError, ValueError):
                pass  # too large for int64, or out of npd's range: the general path reports it
    if isinstance(data, Tensor):  # a copy on the tensor's own device
        return data._data.astype(npd or data._data.dtype, copy=True)
    if isinstance(data, np.ndarray):
        _dtype.from_numpy_dtype(data.dtype)
        return np.array(data, dtype=npd)
    if isinstance(data, np.generic):
        return np.array(data, dtype=npd or _dtype.from_numpy_dtype(data.dtype).np)
    if isinstance(data, range):
        data = list(data)
    inferred = _infer_dtype(data).np
    if isinstance(data, (list, tuple)):
        if any(isinstance(v, np.ndarray) and v.ndim for v in data):
            warnings.warn(
                "Creating a tensor from a list of numpy.ndarrays is extremely slow. Please "
                "consider converting the list to a single numpy.ndarray with numpy.array() before "
                "converting to a tensor.",
                UserWarning,
                stacklevel=3,
            )
        data = _unwrap_tensors(data)
    elif not isinstance(data, _SCALARS):
        raise RuntimeError(f"Could not infer dtype of {type(data).__name__}")
    if npd is not None and npd != inferred:
        # Python numbers go straight into the dtype asked for: a float64 tensor must not pass
        # through float32 (0.3 would become 0.30000001192092896).
        try:
            return np.array(data, dtype=npd)
        except (OverflowError, ValueError, TypeError):
            pass  # out-of-range ints wrap, ragged data is reported: the inferred path below
    try:
        arr = np.array(data, dtype=inferred)
    except OverflowError:
        raise ValueError("Overflow when unpacking long long") from None
    except (ValueError, TypeError):
        raise _ragged_error(data) from None
    if arr.dtype == object:
        raise _ragged_error(data)
    return arr if npd is None or npd == arr.dtype else arr.astype(npd)


def _unwrap_tensors(data):
    """Replace 0-d tensors (at any depth) by their arrays so NumPy can read the nesting."""
    if not any(isinstance(v, (Tensor, list, tuple)) for v in data):
        return data
    return [_array.to_host(v._data) if isinstance(v, Tensor) else _unwrap_tensors(v)
            if isinstance(v, (list, tuple)) else v for v in data]


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
    """Finish a factory: move the array to ``device``, honour ``out=`` (resized and written),
    flag grad."""
    if device is None and out is None:
        device = _default[0]
    if device is not None:
        arr = place(arr, device)
    elif out is not None:
        arr = _array.like(out._data, arr)
    if out is not None:
        return _into_out(arr, out, op)
    t = _wrap(arr)
    return _grad_flag(t, requires_grad) if requires_grad else t


def blank_like(ref, fill: str, shape: tuple, npd, *args):
    """``numpy.<fill>(shape, *args, npd)`` (``zeros``, ``ones``, ``empty``, ``full``) made in
    ``ref``'s array library, on ``ref``'s GPU (CuPy makes new arrays on the current one)."""
    if type(ref) is np.ndarray or _array.on_host(ref):
        return getattr(np, fill)(shape, *args, npd)
    with ref.device:
        return getattr(_array.namespace(ref), fill)(shape, *args, npd)


def _result_like(arr: np.ndarray, requires_grad: bool, device=None) -> Tensor:
    """Finish a factory whose array is already where it belongs (``*_like``, ``new_*``: on the
    device of the tensor they copy from, not the default device), unless ``device=`` says."""
    if device is not None:
        arr = place(arr, device)
    t = _wrap(arr)
    return _grad_flag(t, requires_grad) if requires_grad else t


def _into_out(arr: np.ndarray, out: Tensor, op: str) -> Tensor:
    """Write a factory's result into ``out`` (same object; resized if its shape differs)."""
    if arr.dtype != out._data.dtype:
        raise RuntimeError(
            f"dtype {_dtype.scalar_name(arr)} does not match dtype of out "
            f"parameter ({out.dtype.scalar_name})"
        )
    kept = isinstance(out._data, (np.ndarray, *_array.DEVICE_TYPES))
    if out._data.shape != arr.shape or not kept:
        out._data = np.empty_like(out._data, shape=arr.shape)
    out._data[...] = arr
    out._vc[0] += 1
    return out


def writable(t: Tensor) -> np.ndarray:
    """``t``'s array, ready to be written in place. A 0-d result that an op left as a NumPy
    scalar (immutable, shared with nothing) is first replaced by a 0-d array holding its value."""
    arr = t._data
    if type(arr) is not np.ndarray and not isinstance(arr, _array.DEVICE_TYPES):
        arr = t._data = np.array(arr)
    return arr
