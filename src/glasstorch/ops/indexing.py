"""Indexing: ``x[key]`` and ``x[key] = value`` (``select`` and ``narrow`` are in ``join``).

A key is an int, a slice, ``None``, ``...``, a bool mask, an integer tensor / list / ``range``,
or a tuple mixing them. Keys made of ints, slices, ``None`` and ``...`` only are *basic*: the
result is a view sharing memory with ``x`` (its grad_fn is named after the last step torch takes:
``SelectBackward0`` for an int, ``SliceBackward0`` for a slice, ``UnsqueezeBackward0`` for None,
``AliasBackward0`` when nothing changes). Any mask or integer array makes the key *advanced*: the
result is a copy (``IndexBackward0``) whose gradient is added back at the indexed positions, so an
index that appears twice gets both gradients.

``x[key] = value`` writes in place. When autograd records it, ``x`` gets ``CopySlices`` (basic
key), ``IndexPutBackward0`` (advanced), or ``FillBackward3`` / ``CopyBackwards`` when the key
covers all of ``x`` (``x[:] = v``). If ``x`` is a view of a tensor in the graph, the *base*
gets the history (``CopySlices``) and the view becomes ``AsStridedBackward0`` of it, as in torch.
``autograd.views.inplace_update`` is that machinery, shared with the other in-place ops.
``index_put_`` is ``x[indices] = values`` for a tuple of index tensors.

A node that reads index tensors keeps them with ``save``: changing one in place before backward
(``y = x[i]; i[0] = 2``) is then an error, as in torch, instead of a silently wrong gradient.
"""

from __future__ import annotations

import warnings

import numpy as np

from .. import _array, _dtype
from .._device import mixed, of_array
from .._tensor import Tensor, _wrap
from ..autograd.graph import Node, attach
from ..autograd.views import _VIEW_LEAF, check_multi_view, inplace_update, view_of
from ._broadcast import unbroadcast
from ._checks import check_overlap, check_value_overlap, scalar_for
from ._inplace import check_internal_overlap, in_graph, unrecorded
from ._positions import accumulate_into_zeros, add_at_positions, is_array, put_into_zeros
from .conversion import CopyBackwards, FillBackward3
from .shape import UnsqueezeBackward0

_FULL = slice(None)


# ---- turning a Python key into a NumPy key --------------------------------------------------
def _array_index(k) -> np.ndarray:
    """A mask or integer index (tensor, list, range, ndarray) as a NumPy bool or int64 array."""
    if isinstance(k, Tensor):
        a = k._data
    elif isinstance(k, range):
        return np.arange(k.start, k.stop, k.step, dtype=np.int64)
    elif not _array.on_host(k):  # (a key of a backward: its index arrays are on the GPU)
        a = k
    else:
        a = np.asarray(k)
        if a.size == 0 and a.dtype.kind == "f":
            return a.astype(np.int64)
    kind = a.dtype.kind
    if kind == "b":
        return a
    if kind in "iu":
        return a.astype(bool) if a.dtype == np.uint8 else a
    raise IndexError("tensors used as indices must be long, int, byte or bool tensors")


def _on_device_of(ref, a):
    """The index array ``a`` ready to index the array ``ref``: a host index goes to ``ref``'s GPU
    (torch takes CPU index tensors, and lists, for a tensor on any device); an index on a GPU must
    be on ``ref``'s."""
    if not _array.DEVICE_TYPES:  # (no GPU in use: every array is on the host)
        return a
    if _array.on_host(a):
        return _array.like(ref, a)
    if _array.on_host(ref) or ref.device.id != a.device.id:
        raise RuntimeError("indices should be either on cpu or on the same device as the indexed "
                           f"tensor ({of_array(ref)})")
    return a


def _seq_is_tuple(key: list) -> bool:
    """torch (like old NumPy) reads ``x[[0, slice]]`` or ``x[[[0, 1], [1, 2]]]`` as a tuple."""
    return any(isinstance(k, (list, tuple, Tensor, np.ndarray, slice, range)) or k is None
               or k is Ellipsis for k in key)


def prepare_key(shape: tuple, key, ref=None):
    """``(steps, advanced, last)``: the NumPy key(s) for ``key``, whether any part is advanced,
    and which op torch would name the result after (None: ask ``_last_step`` when needed).
    Index arrays are put on the device of ``ref`` (the indexed array).

    ``steps`` is a list of one key, or of two when ints are mixed with arrays: torch applies ints
    (``select``) before the advanced part, which NumPy would instead treat as an array index.
    """
    if type(key) is not tuple:
        if type(key) is slice:
            if key.step is not None and key.step <= 0:
                raise ValueError("step must be greater than zero")
            return [(key,)], False, "Slice"
        if isinstance(key, list) and _seq_is_tuple(key):
            warnings.warn(
                "Using a non-tuple sequence for multidimensional indexing is deprecated and will "
                "be changed in pytorch 2.9; use x[tuple(seq)] instead of x[seq].",
                UserWarning, stacklevel=3)
            key = tuple(key)
        else:
            key = (key,)
    out, adv, has_int = [], False, False
    for k in key:
        tk = type(k)
        if tk is int:
            out.append(k)
            has_int = True
        elif tk is slice:
            if k.step is not None and k.step <= 0:
                raise ValueError("step must be greater than zero")
            out.append(k)
        elif k is None or k is Ellipsis:
            out.append(k)
        elif isinstance(k, (Tensor, list, tuple, range, np.ndarray, bool, np.bool_)) or (
                not _array.on_host(k)):
            a = _array_index(k)
            if a.ndim == 0 and a.dtype.kind != "b":
                out.append(int(a))
                has_int = True
            else:
                out.append(a if ref is None else _on_device_of(ref, a))
                adv = True
        elif isinstance(k, (np.integer,)):
            out.append(int(k))
            has_int = True
        elif isinstance(k, (float, np.floating, complex)):
            raise IndexError(
                "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables "
                f"are valid indices (got {type(k).__name__})"
            )
        else:
            raise TypeError(f"new(): invalid data type '{type(k).__name__}'")
    if adv or out.count(Ellipsis) > 1:
        out = _place_ellipsis(out, len(shape), adv)
    key = tuple(out)
    if adv:
        return (_split_ints(key) if has_int else [key]), True, "Index"
    return [key], False, None  # the name is worked out only if autograd records (_last_step)


def _place_ellipsis(key: list, ndim: int, adv: bool) -> list:
    """``key`` with its ``...`` written out as the full slices it stands for (advanced keys), or
    its extra ``...`` dropped (basic keys), so that NumPy places the result's dimensions as torch.

    torch walks the key along the dimensions: each ``...`` moves that walk by ``w`` = the number
    of dimensions no other item names. Index tensors on *neighbouring dimensions* then keep their
    place in the result, even when a ``...`` covering nothing (``w == 0``) sits between them:
    ``x`` of shape ``(2, 3)``, ``x[None, [0, 1], ..., [0, 2]]`` has shape ``(1, 2)``. NumPy would
    call them separated and move their dimension to the front (``(2, 1)``), so the ``...`` is
    replaced by ``w`` full slices. A second ``...`` moves the walk past the last dimension: torch
    allows it only when nothing but ``...`` follows it, or when ``w == 0``.
    """
    named = 0
    for k in key:
        if is_array(k):
            named += k.ndim if k.dtype.kind == "b" else 1
        elif k is not None and k is not Ellipsis:
            named += 1
    width = max(ndim - named, 0)
    places = [i for i, k in enumerate(key) if k is Ellipsis]
    if len(places) > 1 and width:
        rest = [k for k in key[places[1]:] if k is not Ellipsis]
        if rest and all(k is None for k in rest):  # the None would unsqueeze past the end
            dim, nd = 0, ndim
            for k in key:
                if k is Ellipsis:
                    dim += width
                    continue
                if k is None and dim > nd:
                    raise IndexError(f"Dimension out of range (expected to be in range of "
                                     f"[{-nd - 1}, {nd}], but got {dim})")
                nd += k is None
                dim += 1
        if rest:
            got = named + width * sum(1 for i in places
                                      if any(k is not None for k in key[i + 1:]
                                             if k is not Ellipsis))
            raise IndexError(f"too many indices for tensor of dimension {ndim} (got {got})")
    if not places:
        return key
    first = places[0]
    out = [k for i, k in enumerate(key) if k is not Ellipsis or i == first]
    if adv:
        out[first:first + 1] = [_FULL] * width
    return out


def _last_step(shape: tuple, key: tuple) -> str:
    """The last op torch's slicing applies for a basic key: the name of the view's grad_fn.
    torch skips a slice that starts at 0, steps by 1 and stops at or past the end."""
    consumed = sum(1 for k in key if k is not None and k is not Ellipsis)
    dim, last = 0, "Alias"
    for k in key:
        if k is Ellipsis:
            dim += len(shape) - consumed
            continue
        if k is None:
            last = "Unsqueeze"
            continue
        if type(k) is int:
            last = "Select"
        elif k != _FULL and dim < len(shape) and not (
                (k.start is None or k.start == 0) and (k.stop is None or k.stop >= shape[dim])
                and (k.step is None or k.step == 1)):
            last = "Slice"
        dim += 1
    return last


def _split_ints(key: tuple) -> list:
    """Two NumPy keys doing what torch does: ints and slices first, then the array part."""
    first, second = [], []
    for k in key:
        if type(k) is int:
            first.append(k)
        elif is_array(k):
            n = k.ndim if k.dtype.kind == "b" else 1
            first.extend([_FULL] * n)
            second.append(k)
        else:
            first.append(k)
            second.append(k if k is Ellipsis else _FULL)
    return [tuple(first), tuple(second)]


def _index(arr: np.ndarray, steps: list, shape_for_errors=None) -> np.ndarray:
    """``arr`` indexed by each step, with NumPy's IndexErrors rewritten in torch's words."""
    try:
        for k in steps:
            _check_empty_masks(arr.shape, k)
            arr = arr[k]
    except IndexError as e:
        empty = _empty_selection(arr, k, e)
        if empty is None:
            _raise_index_error(e, shape_for_errors, steps)
        arr = empty
    return arr


def _empty_selection(arr: np.ndarray, key, error: IndexError):
    """What ``arr[key]`` gives when it selects no element at all: torch checks an index tensor's
    range only for the elements it reads or writes, so ``x[..., [5]]`` of a ``(0, 3)`` tensor is
    an empty ``(0, 1)`` result, not an error. None when the selection is not empty (or the error
    is not about a range): the error stands."""
    if "out of bounds" not in str(error):
        return None
    keys = key if type(key) is tuple else (key,)
    safe = tuple(np.zeros_like(k) if is_array(k) and k.dtype.kind in "iu" else k for k in keys)
    xp = _array.namespace(arr)
    try:
        res = xp.broadcast_to(xp.empty((), arr.dtype), arr.shape)[safe]
    except IndexError:
        return None
    return xp.empty(res.shape, arr.dtype) if res.size == 0 else None


def _raise_index_error(e: IndexError, shape, steps):
    msg = str(e)
    if "out of bounds" in msg:
        if msg.endswith("with size 0"):  # torch does not name the index or the dimension then
            raise IndexError("index is out of bounds for dimension with size 0") from None
        raise IndexError(_index_tensor_ordinal(msg, steps).replace("axis", "dimension")) from None
    if "too many indices" in msg:
        if len(shape) == 0:
            raise IndexError(
                "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number"
            ) from None
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}") from None
    if "boolean index did not match" in msg:
        raise IndexError(_mask_message(shape, steps[-1])) from None
    if "shape mismatch" in msg:
        shapes = ", ".join(str(list(k.shape)) for k in steps[-1]
                           if is_array(k) and k.dtype.kind != "b")
        raise IndexError(
            f"shape mismatch: indexing tensors could not be broadcast together with shapes {shapes}"
        ) from None
    raise IndexError(msg) from None


def _index_tensor_ordinal(msg: str, steps) -> str:
    """NumPy names the axis an out-of-range index tensor was on; torch names which of the index
    tensors it is (``x[:, :, [5]]``: "dimension 0"), counting a k-d mask as k of them."""
    head, sep, tail = msg.partition(" for axis ")
    if not sep or not steps:
        return msg
    axis = int(tail.split()[0])
    key = steps[-1] if isinstance(steps[-1], tuple) else (steps[-1],)
    dim = ordinal = 0
    for k in key:
        if k is None or k is Ellipsis:  # (advanced keys carry no Ellipsis by now)
            continue
        n = k.ndim if is_array(k) and k.dtype.kind == "b" else 1
        if is_array(k):
            if dim <= axis < dim + n:
                return f"{head} for axis {ordinal + axis - dim}{tail[len(str(axis)):]}"
            ordinal += max(n, 1)  # a 0-d mask (True) is one index tensor too, on no dimension
        dim += n
    return msg


def _mask_message(shape, key) -> str:
    return _mask_mismatch(shape, key) or (
        f"The shape of the mask does not match the shape of the indexed tensor {list(shape)}")


def _mask_mismatch(shape, key) -> str | None:
    """torch's words for the first bool mask of ``key`` whose shape does not match the
    dimensions of ``shape`` it covers, or None."""
    pos, shape = 0, tuple(shape)
    for k in key:
        if is_array(k) and k.dtype.kind == "b" and not k.ndim:
            shape = shape[:pos] + (1,) + shape[pos:]  # a 0-d mask (True, False): torch indexes
            pos += 1                                  # a new dimension of size 1
        elif is_array(k) and k.dtype.kind == "b":
            for j, n in enumerate(k.shape):
                if pos + j < len(shape) and shape[pos + j] != n:
                    return (f"The shape of the mask {list(k.shape)} at index {j} does not match "
                            f"the shape of the indexed tensor {list(shape)} at index {pos + j}")
            pos += k.ndim
        elif k is Ellipsis:
            pos = len(shape) - sum(a.ndim if is_array(a) and a.dtype.kind == "b"
                                   else 1 for a in key[key.index(k) + 1:] if a is not None)
        elif k is not None:
            pos += 1
    return None


def _check_empty_masks(shape, key) -> None:
    """NumPy takes an empty bool array for an (empty) integer index, whatever its shape; torch
    checks a mask's shape against the dimensions it covers even when it selects nothing."""
    keys = key if type(key) is tuple else (key,)
    gpu = _array.DEVICE_TYPES
    for a in keys:
        if (isinstance(a, np.ndarray) or gpu and isinstance(a, gpu)) and a.dtype.kind == "b" and (
                a.ndim and not a.size):
            msg = _mask_mismatch(shape, keys)
            if msg:
                raise IndexError(msg)
            return


# ---- x[key] ---------------------------------------------------------------------------------
def getitem(self, key):
    """``self[key]``: a view for basic keys, a copy for advanced ones (see the module docstring).

    ``x`` of shape ``(4, 3)``: ``x[1]`` is a ``(3,)`` view, ``x[:, ::2]`` a ``(4, 2)`` view,
    ``x[[0, 0, 2]]`` a ``(3, 3)`` copy.
    """
    x = self._data
    if type(key) is int:  # fast path: x[i] skips prepare_key, and attach outside the graph
        try:
            arr = x[key, ...]
        except IndexError as e:
            _raise_index_error(e, x.shape, [(key,)])
        res = view_of(self, arr)
        return attach(res, SelectBackward0, self, key=(key, Ellipsis)) if self._rg else res
    steps, adv, last = prepare_key(x.shape, key, x)
    if not adv:
        k = steps[0]
        if Ellipsis not in k:
            k = k + (Ellipsis,)
        res = view_of(self, _index(x, [k], x.shape))
        if not self._rg:  # fast path: the node's name is worked out only when there is one
            return res
        return attach(res, _BASIC[last or _last_step(x.shape, k)], self, key=k)
    res = _wrap(_c_layout(_index(x, steps, x.shape)))
    if not self._rg:  # fast path: as above
        return res
    return attach(res, IndexBackward0, self, steps=steps, indices=_index_tensors(key))


def _c_layout(arr: np.ndarray) -> np.ndarray:
    """``arr`` laid out row-major with torch's strides: an advanced-index result is a new
    tensor, contiguous in torch, while NumPy may hand back a transposed layout (``x[:, [0, 1]]``
    of a ``(2, 3)`` array has strides ``(1, 2)``) or odd strides on size-1 dimensions."""
    if arr.ndim < 2:
        return arr
    step = arr.itemsize
    for n, s in zip(reversed(arr.shape), reversed(arr.strides)):
        if s != step:
            return arr.copy(order="C")
        step *= n
    return arr


def _index_tensors(key) -> tuple:
    """The tensors in ``key``: a node that reads them keeps them (version-checked)."""
    if isinstance(key, Tensor):
        return (key,)
    if isinstance(key, (tuple, list)):
        return tuple(k for k in key if isinstance(k, Tensor))
    return ()


class _KeyedView(Node):
    """Backward of a basic-index view: the gradient placed at ``key`` in zeros like the input."""

    def __init__(self, x, *, key):
        super().__init__(x)
        self.shape, self.key = x._data.shape, key

    def backward(self, grad):
        return put_into_zeros(grad, self.shape, self.key)


class SelectBackward0(_KeyedView):
    """Backward of ``x[i]`` / ``x.select(dim, i)``."""


class SliceBackward0(_KeyedView):
    """Backward of ``x[a:b:c]`` / ``x.narrow(dim, start, length)``."""


class AliasBackward0(_KeyedView):
    """Backward of ``x[...]`` or ``x[:, :]``: the same elements in the same shape."""


_BASIC = {"Select": SelectBackward0, "Slice": SliceBackward0, "Alias": AliasBackward0,
          "Unsqueeze": UnsqueezeBackward0}


class IndexBackward0(Node):
    """Backward of advanced indexing: the gradient added at the indexed positions.

    ``steps`` (NumPy keys) hold the index arrays; the index tensors themselves are saved too, so
    that their version is checked."""

    def __init__(self, x, *, steps, indices=()):
        super().__init__(x)
        self.shape = x._data.shape
        self.save(steps, *indices)

    def backward(self, grad):
        steps = self.saved_tensors[0]
        return accumulate_into_zeros(grad, self.shape, steps)


# ---- x[key] = value -------------------------------------------------------------------------
def setitem(self, key, value) -> None:
    """``self[key] = value``: writes in place (broadcasting ``value``), bumping the version."""
    tk, tv = type(key), type(value)
    if (tk is int or (tk is slice and (key.step is None or key.step > 0))) and (
            tv is float or tv is int or tv is bool) and not in_graph(self):
        # fast path: x[i] = 0.0, x[a:b] = 1 skip prepare_key
        _write(self._data, key, _number_for(value, self._data.dtype), False)
        self._vc[0] += 1
        return None
    if key is False:  # x[False] = v alone selects nothing: torch writes nothing
        return None
    if key is True:  # x[True] = v alone: torch writes into x[None] (a copy, casting); reading
        key = None   # x[True] is an index with a 0-d mask instead (a copy, IndexBackward0)
    if tv is float or tv is int or tv is bool or tv is complex:
        _number_for(value, self._data.dtype)  # torch converts the value before the key
    steps, adv, _ = prepare_key(self._data.shape, key, self._data)
    indices = _index_tensors(key) if adv else None
    if adv and len(steps) == 1:
        split = _split_ints(steps[0])
        if _last_step(self._data.shape, split[0]) != "Alias":
            steps = split  # torch slices / unsqueezes first, then index_put_ on that view
    if len(steps) == 2:  # basic part first (a view), then the advanced part into that view
        return _assign(getitem(self, steps[0]), steps[1], value, indices)
    return _assign(self, steps[0], value, indices)


def _assign(self, k: tuple, value, indices) -> None:
    """``self[k] = value`` for a NumPy key ``k``; ``indices``: the index tensors of an advanced
    key (None for a basic one).

    As torch: the value loses its leading size-1 dimensions, must then broadcast to the indexed
    shape, and is cast to ``self``'s dtype. A basic write of a tensor with dimensions into a
    tensor that is not floating (``b[:] = v`` for a bool ``b``) is a ``copy_`` autograd does not
    record (a 0-d value written to more than one element is a ``fill_``, which torch
    records)."""
    adv = indices is not None
    is_t = isinstance(value, Tensor)
    if not is_t and not isinstance(value, (int, float, bool, complex, np.number, np.bool_)):
        kind = type(value)
        name = kind.__name__ if kind.__module__ == "builtins" else (
            f"{kind.__module__}.{kind.__name__}")
        raise TypeError(f"can't assign a {name} to a torch.{_dtype.of(self).tensor_type}")
    target = self._data
    v = value._data if is_t else _number_for(value, target.dtype)
    if is_t and type(v) is not type(target):
        v = _value_to(target, v, adv)
    if is_t and v.ndim and v.shape[0] == 1:
        v = _drop_leading_ones(v)
    if adv and is_t and v.size == 0:
        _check_value_shape(target, k, v)  # (NumPy lets an empty value into any empty selection)
    if adv and is_t and v.dtype != target.dtype:
        arrays = [a for a in k if is_array(a)]
        if not (v.size == 1 and len(arrays) == 1 and arrays[0].dtype.kind == "b"
                and arrays[0].ndim):  # (a 0-d bool among other indices is an index tensor)
            _check_value_shape(target, k, v)  # torch checks the shape before the dtype
            raise RuntimeError(_dtype_mismatch(target, v))
        # x[mask] = one value: torch fills (masked_fill_), casting
        v = v.astype(target.dtype)
    if not in_graph(self, value) or (not adv and target.dtype.kind not in "fc" and is_t and (
            value._data.ndim or not target[k].ndim)):
        _write(target, k, v, adv, value)
        self._vc[0] += 1
        return None
    # x[...] = v, x[:] = v: torch fills / copies into x itself
    whole = not adv and _last_step(self._data.shape, k) == "Alias"
    if not (adv or whole) and self._multi_view is not None:
        check_multi_view(getitem(self, k))  # torch writes through the view self[k]
    if not (adv or whole) and self._rg and self._grad_fn is None:
        raise RuntimeError(_VIEW_LEAF)  # torch writes through the view self[key]

    def write():
        _write(target, k, v, adv, value)

    if whole:
        src = value if is_t else _wrap(_array.like(target, np.asarray(value, target.dtype)))
        node = FillBackward3 if src._data.ndim == 0 else CopyBackwards
        inplace_update(self, write, lambda old: node(old, src))
        return None
    inputs = (value,) if is_t else ()
    inplace_update(self, write, lambda old: IndexPutBackward0(old, *inputs, key=k, indices=indices),
                   wrap=not adv)
    return None


def _value_to(target, v, adv: bool):
    """A value tensor's array ``v``, on another device than ``target``, moved there: a basic write
    is torch's ``copy_``, which copies across devices; an advanced one (``index_put_``) takes a
    0-d value from another device only."""
    if not adv or v.ndim == 0:
        return _array.to_host(v) if _array.on_host(target) else _array.like(target, v)
    raise mixed(target, v)


_F32_MAX = float(np.finfo(np.float32).max)


def _number_for(value, npd: np.dtype):
    """A number written by ``x[key] = value``, checked as torch checks it: an int beyond int64
    is torch's ValueError, a value the dtype cannot hold (``1e20``, ``inf`` or ``nan`` into an
    int tensor, ``1e300`` into float32) its RuntimeError "value cannot be converted to type
    int64_t without overflow" (``scalar_for``). float16 takes the value through a double, as
    torch does (``1e300`` becomes inf)."""
    if type(value) is int and not -(2 ** 63) <= value < 2 ** 63:
        raise ValueError("Overflow when unpacking long long")
    kind = npd.kind
    if kind == "f" and type(value) is float and (npd.itemsize == 8 or npd.itemsize == 4 and abs(
            value) <= _F32_MAX) or kind == "i" and type(value) is int and npd.itemsize == 8:
        return value  # (the common cases: nothing to check)
    if npd == np.float16:
        with np.errstate(over="ignore"):
            return np.float16(scalar_for(value, np.dtype(np.float64)))
    return scalar_for(value, npd)


def _dtype_mismatch(target: np.ndarray, v: np.ndarray) -> str:
    return ("Index put requires the source and destination dtypes match, got "
            f"{_dtype.scalar_name(target)} for the destination and {_dtype.scalar_name(v)} for "
            "the source.")


def _drop_leading_ones(v: np.ndarray) -> np.ndarray:
    """``v`` without its leading size-1 dimensions: ``(1, 1, 3)`` → ``(3,)`` (torch's rule for
    the value of an indexed write, which NumPy applies only in some cases)."""
    n = 0
    while n < v.ndim and v.shape[n] == 1:
        n += 1
    return v.reshape(v.shape[n:])


def _check_value_shape(arr: np.ndarray, key, v: np.ndarray) -> None:
    """torch's error when the value ``v`` cannot broadcast to the shape ``arr[key]`` has (checked
    before the indices are: with an index out of range too, torch reports the shapes)."""
    _check_empty_masks(arr.shape, key)
    xp = _array.namespace(arr)
    dummy = xp.broadcast_to(xp.empty((), arr.dtype), arr.shape)  # (indexing it copies nothing)
    keys = key if type(key) is tuple else (key,)
    try:
        target = dummy[tuple(np.zeros_like(k) if is_array(k) and k.dtype.kind in "iu"
                             else k for k in keys)].shape
    except IndexError:  # (an error of the key itself, in torch's words)
        target = _index(arr, [key], arr.shape).shape
    try:
        np.broadcast_to(v, target)
    except ValueError:
        raise RuntimeError(
            f"shape mismatch: value tensor of shape {list(v.shape)} cannot be broadcast to "
            f"indexing result of shape {list(target)}"
        ) from None


def _write(arr: np.ndarray, key, v, adv: bool, value=None) -> None:
    """``arr[key] = v`` with NumPy's errors in torch's words (``value``: as the user gave it)."""
    if not adv:
        if 0 in arr.strides:  # torch copies the value in: refused where elements share memory
            check_internal_overlap(arr[key])
        if type(v) is np.ndarray and v.ndim and np.may_share_memory(arr, v):
            dst = arr[key]
            if value is None or value._data.shape != dst.shape:
                check_value_overlap(dst, v)  # (torch expands the value first)
            else:
                check_overlap(dst, value._data)
    if adv:
        _check_empty_masks(arr.shape, key)
    try:
        arr[key] = v
    except IndexError as e:
        if _empty_selection(arr, key, e) is None:  # (an empty selection: nothing to write)
            _raise_index_error(e, arr.shape, [key])
    except (ValueError, TypeError) as e:
        if "read-only" in str(e):
            raise RuntimeError(
                "unsupported operation: more than one element of the written-to tensor refers to "
                "a single memory location. Please clone() the tensor before performing the "
                "operation."
            ) from None
        if adv:
            _check_value_shape(arr, key, v if hasattr(v, "shape") else np.asarray(v))
            raise
        target, vs = arr[key].shape, np.shape(v)
        if len(vs) > len(target):
            kind = _dtype.of(value).tensor_type if isinstance(value, Tensor) else "Tensor"
            raise RuntimeError(
                f"expand(torch.{kind}{{{list(vs)}}}, size={list(target)}): the number of sizes "
                f"provided ({len(target)}) must be greater or equal to the number of dimensions "
                f"in the tensor ({len(vs)})"
            ) from None
        bad = next((i for i in range(1, len(vs) + 1)
                    if vs[-i] not in (1, target[-i])), 1)
        raise RuntimeError(
            f"The expanded size of the tensor ({target[-bad]}) must match the existing size "
            f"({vs[-bad]}) at non-singleton dimension {len(target) - bad}.  Target sizes: "
            f"{list(target)}.  Tensor sizes: {list(vs)}"
        ) from None


class IndexPutBackward0(Node):
    """Backward of ``x[key] = value``: the overwritten positions get no gradient from ``x``'s old
    values; ``value`` (when a tensor) gets the gradient at ``key`` summed back to its shape.

    A basic ``key`` (ints, slices) is kept as it is; an advanced one (``indices``: its index
    tensors) is saved with them. ``accumulate=True`` (``index_put_``): the old values stay."""

    key = None  # a basic key; an advanced one is the first saved item

    def __init__(self, old, *value, key, indices=None, accumulate=False):
        super().__init__(old, *value)
        if value:
            self.vshape, self.vdtype = value[0]._data.shape, value[0].dtype
        self.accumulate = accumulate
        if indices is None:
            self.key = key
        else:
            self.save(key, *indices)

    def backward(self, grad):
        needs = self.needs_input_grad
        key = self.key if self.key is not None else self.saved_tensors[0]
        g_old = None
        if needs[0] and self.accumulate:
            g_old = grad
        elif needs[0]:
            g_old = grad.clone()
            g_old[key] = 0
        if len(needs) == 1:
            return g_old
        g_val = None
        if needs[1]:
            g_val = grad[key]
            if g_val.ndim < len(self.vshape):  # the value had leading size-1 dims torch dropped
                g_val = g_val.reshape((1,) * (len(self.vshape) - g_val.ndim) + g_val.shape)
            g_val = unbroadcast(g_val, self.vshape).to(self.vdtype)
        return g_old, g_val


# ---- index_put_ -----------------------------------------------------------------------------
def index_put_(self, indices, values, accumulate: bool = False):
    """``self[indices] = values`` for a tuple of index tensors (all advanced, broadcasting
    together), in place. ``accumulate=True`` adds instead, and a position listed twice gets both
    values (``x[i] += v`` would keep only one).

    ``x`` of shape ``(4, 3)``, ``indices=(tensor([0, 0]),)``, ``values`` of shape ``(2, 3)``:
    with ``accumulate=True`` row 0 gets both rows of ``values`` added.
    """
    if not isinstance(indices, (tuple, list)):
        raise TypeError(
            "index_put_(): argument 'indices' (position 1) must be tuple of Tensors, not "
            f"{type(indices).__name__}"
        )
    for n, i in enumerate(indices):
        if not isinstance(i, Tensor):
            raise TypeError(f"expected Tensor as element {n} in argument 0, but got "
                            f"{type(i).__name__}")
    x, v = self._data, values._data
    if type(v) is not type(x):
        v = _value_to(x, v, True)
    key = tuple(_on_device_of(x, _array_index(i)) for i in indices)
    got = sum(k.ndim if k.dtype.kind == "b" else 1 for k in key)
    if got > x.ndim:
        raise IndexError(f"too many indices for tensor of dimension {x.ndim} (got {got})")
    _check_value_shape(x, key, v)  # (x[i] = v drops v's leading 1s; index_put_ does not)
    if v.dtype != x.dtype:
        raise RuntimeError(_dtype_mismatch(x, v))

    def write():
        try:
            if accumulate:
                add_at_positions(x, [key], v)
            else:
                x[key] = v
        except IndexError as e:
            if _empty_selection(x, key, e) is None:  # (an empty selection: nothing to write)
                _raise_index_error(e, x.shape, [key])

    if not in_graph(self, values):
        return unrecorded(self, write)
    return inplace_update(self, write, lambda old: IndexPutBackward0(
        old, values, key=key, indices=_index_tensors(indices), accumulate=accumulate))


def index_put(input, indices, values, accumulate: bool = False):
    """Out-of-place ``index_put_`` (on a copy of ``input``)."""
    return index_put_(input.clone(), indices, values, accumulate)


Tensor.__getitem__, Tensor.__setitem__ = getitem, setitem
Tensor.index_put_, Tensor.index_put = index_put_, index_put

__all__ = ["index_put", "index_put_"]
