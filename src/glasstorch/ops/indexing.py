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
``_views.inplace_update`` is that machinery, shared with the other in-place ops of this family.
"""

from __future__ import annotations

import warnings

import numpy as np

from .._tensor import Tensor, _wrap
from ..autograd import grad_mode
from ..autograd.graph import Node
from ..autograd.views import _VIEW_LEAF, inplace_update, view_of
from ._broadcast import unbroadcast

_FULL = slice(None)


# ---- turning a Python key into a NumPy key --------------------------------------------------
def _array_index(k) -> np.ndarray:
    """A mask or integer index (tensor, list, range, ndarray) as a NumPy bool or int64 array."""
    if isinstance(k, Tensor):
        a = k._data
    elif isinstance(k, range):
        return np.arange(k.start, k.stop, k.step, dtype=np.int64)
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


def _seq_is_tuple(key: list) -> bool:
    """torch (like old NumPy) reads ``x[[0, slice]]`` or ``x[[[0, 1], [1, 2]]]`` as a tuple."""
    return any(isinstance(k, (list, tuple, Tensor, np.ndarray, slice, range)) or k is None
               or k is Ellipsis for k in key)


def prepare_key(shape: tuple, key):
    """``(steps, advanced, last)``: the NumPy key(s) for ``key``, whether any part is advanced,
    and which op torch would name the result after (None: ask ``_last_step`` when needed).

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
        elif isinstance(k, (Tensor, list, tuple, range, np.ndarray, bool, np.bool_)):
            a = _array_index(k)
            if a.ndim == 0 and a.dtype.kind != "b":
                out.append(int(a))
                has_int = True
            else:
                out.append(a)
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
    key = tuple(out)
    if adv:
        return (_split_ints(key) if has_int else [key]), True, "Index"
    return [key], False, None  # the name is worked out only if autograd records (_last_step)


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
        elif isinstance(k, np.ndarray):
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
            arr = arr[k]
    except IndexError as e:
        _raise_index_error(e, shape_for_errors, steps)
    return arr


def _raise_index_error(e: IndexError, shape, steps):
    msg = str(e)
    if "out of bounds" in msg:
        raise IndexError(msg.replace("axis", "dimension")) from None
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
                           if isinstance(k, np.ndarray) and k.dtype.kind != "b")
        raise IndexError(
            f"shape mismatch: indexing tensors could not be broadcast together with shapes {shapes}"
        ) from None
    raise IndexError(msg) from None


def _mask_message(shape, key) -> str:
    pos = 0
    for k in key:
        if isinstance(k, np.ndarray) and k.dtype.kind == "b":
            for j, n in enumerate(k.shape):
                if pos + j < len(shape) and shape[pos + j] != n:
                    return (f"The shape of the mask {list(k.shape)} at index {j} does not match "
                            f"the shape of the indexed tensor {list(shape)} at index {pos + j}")
            pos += k.ndim
        elif k is Ellipsis:
            pos = len(shape) - sum(a.ndim if isinstance(a, np.ndarray) and a.dtype.kind == "b"
                                   else 1 for a in key[key.index(k) + 1:] if a is not None)
        elif k is not None:
            pos += 1
    return f"The shape of the mask does not match the shape of the indexed tensor {list(shape)}"


# ---- x[key] ---------------------------------------------------------------------------------
def getitem(self, key):
    """``self[key]``: a view for basic keys, a copy for advanced ones (see the module docstring)."""
    x = self._data
    if type(key) is int:  # the hot path: x[i]
        try:
            arr = x[key, ...]
        except IndexError as e:
            _raise_index_error(e, x.shape, [(key,)])
        res = view_of(self, arr)
        if self._rg and grad_mode.state.enabled:
            res._rg = True
            res._grad_fn = SelectBackward0(self, (key, Ellipsis))
        return res
    steps, adv, last = prepare_key(x.shape, key)
    if not adv:
        k = steps[0]
        if Ellipsis not in k:
            k = k + (Ellipsis,)
        res = view_of(self, _index(x, [k], x.shape))
        if self._rg and grad_mode.state.enabled:
            res._rg = True
            res._grad_fn = _BASIC[last or _last_step(x.shape, k)](self, k)
        return res
    res = _wrap(np.asarray(_index(x, steps, x.shape)))
    if self._rg and grad_mode.state.enabled:
        res._rg = True
        res._grad_fn = IndexBackward0(self, steps)
    return res


class _KeyedView(Node):
    """Backward of a basic-index view: the gradient placed at ``key`` in zeros like the input."""

    def __init__(self, x, key):
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


def _unsqueeze_node(x, key):
    from .shape import UnsqueezeBackward0

    return UnsqueezeBackward0(x, key)


_BASIC = {"Select": SelectBackward0, "Slice": SliceBackward0, "Alias": AliasBackward0,
          "Unsqueeze": _unsqueeze_node}


class IndexBackward0(Node):
    """Backward of advanced indexing: the gradient added at the indexed positions."""

    def __init__(self, x, steps):
        super().__init__(x)
        self.shape, self.steps = x._data.shape, steps

    def backward(self, grad):
        return accumulate_into_zeros(grad, self.shape, self.steps)


def put_into_zeros(grad: Tensor, shape: tuple, key: tuple) -> Tensor:
    """Zeros of ``shape`` with ``grad`` written at the basic ``key`` (differentiable)."""
    out = np.zeros(shape, grad._data.dtype)
    out[key] = grad._data
    res = _wrap(out)
    if grad._rg and grad_mode.state.enabled:
        res._rg = True
        res._grad_fn = _PutBackward(grad, [key])
    return res


def accumulate_into_zeros(grad: Tensor, shape: tuple, steps: list) -> Tensor:
    """Zeros of ``shape`` with ``grad`` *added* at the advanced key ``steps`` (repeats sum up)."""
    res = _wrap(add_at_positions(np.zeros(shape, grad._data.dtype), steps, grad._data))
    if grad._rg and grad_mode.state.enabled:
        res._rg = True
        res._grad_fn = _PutBackward(grad, steps)
    return res


class _PutBackward(Node):
    """Backward of the put-into-zeros step of a backward (for double backward): index again."""

    def __init__(self, grad, steps):
        super().__init__(grad)
        self.steps = steps

    def backward(self, grad):
        for k in self.steps:
            grad = grad[k]
        return grad


def add_at_positions(out: np.ndarray, steps: list, vals: np.ndarray) -> np.ndarray:
    """``out[steps] += vals`` where repeated positions add up (NumPy's fancy ``+=`` would keep
    only one). Sorting the positions and summing runs with ``np.add.reduceat`` does it without
    ``np.add.at``; unique positions (the usual case) take a single fancy ``+=``."""
    if out.size == 0 or vals.size == 0:
        return out
    key = steps[0]
    if len(steps) == 1 and all(isinstance(k, np.ndarray) and k.dtype.kind in "iu" for k in key):
        lead = out.shape[:len(key)]  # x[i, j] picks whole rows of the remaining dimensions
        idx = [np.where(a < 0, a + n, a) if a.size and a.min() < 0 else a
               for a, n in zip(np.broadcast_arrays(*key), lead)]
        rows = np.ravel_multi_index(idx, lead)
        table = out.reshape(int(np.prod(lead)), -1)
        vals = np.broadcast_to(vals, rows.shape + out.shape[len(key):])
        add_rows(table, rows.ravel(), vals.reshape(rows.size, -1))
        return out
    pos = np.arange(out.size).reshape(out.shape)
    for k in steps:
        pos = pos[k]
    add_rows(out.reshape(-1, 1), pos.ravel(), np.broadcast_to(vals, pos.shape).reshape(-1, 1))
    return out


def add_rows(table: np.ndarray, rows: np.ndarray, vals: np.ndarray, ufunc=np.add) -> None:
    """``table[rows[i]] (ufunc)= vals[i]`` for every i, repeats included (see add_at_positions)."""
    if rows.size > 1:
        srt = np.sort(rows)
        if (srt[1:] == srt[:-1]).any():
            order = np.argsort(rows, kind="stable")
            r = rows[order]
            starts = np.flatnonzero(np.concatenate(([True], r[1:] != r[:-1])))
            r = r[starts]
            table[r] = ufunc(table[r], ufunc.reduceat(vals[order], starts, axis=0))
            return
    table[rows] = ufunc(table[rows], vals)


# ---- x[key] = value -------------------------------------------------------------------------
def setitem(self, key, value) -> None:
    """``self[key] = value``: writes in place (broadcasting ``value``), bumping the version."""
    tk, tv = type(key), type(value)
    if (tk is int or (tk is slice and (key.step is None or key.step > 0))) and (
            tv is float or tv is int or tv is bool) and not (
            self._rg and grad_mode.state.enabled):  # the hot path: x[i] = 0.0, x[a:b] = 1
        _write(self._data, key, value, False)
        self._vc[0] += 1
        return None
    steps, adv, _ = prepare_key(self._data.shape, key)
    if adv and len(steps) == 1:
        split = _split_ints(steps[0])
        if _last_step(self._data.shape, split[0]) != "Alias":
            steps = split  # torch slices / unsqueezes first, then index_put_ on that view
    if len(steps) == 2:  # basic part first (a view), then the advanced part into that view
        view = getitem(self, steps[0])
        return setitem(view, steps[1], value)
    k = steps[0]
    is_t = isinstance(value, Tensor)
    if not is_t and not isinstance(value, (int, float, bool, complex, np.number, np.bool_)):
        from ._inplace import _dtype_name

        kind = type(value)
        name = kind.__name__ if kind.__module__ == "builtins" else (
            f"{kind.__module__}.{kind.__name__}")
        raise TypeError(
            f"can't assign a {name} to a torch.{_dtype_name(self._data.dtype)}Tensor"
        )
    if adv and is_t and value._data.dtype != self._data.dtype:
        from ._inplace import _dtype_name

        raise RuntimeError(
            "Index put requires the source and destination dtypes match, got "
            f"{_dtype_name(self._data.dtype)} for the destination and "
            f"{_dtype_name(value._data.dtype)} for the source."
        )
    v = value._data if is_t else value
    target = self._data
    if not (grad_mode.state.enabled and (self._rg or (is_t and value._rg))):
        _write(target, k, v, adv)
        self._vc[0] += 1
        return None
    # x[...] = v, x[:] = v: torch fills / copies into x itself
    whole = not adv and _last_step(self._data.shape, k) == "Alias"
    if not (adv or whole) and self._rg and self._grad_fn is None:
        raise RuntimeError(_VIEW_LEAF)  # torch writes through the view self[key]

    def write():
        _write(target, k, v, adv)

    if whole:
        from .conversion import CopyBackwards, FillBackward3

        src = value if is_t else _wrap(np.asarray(value, self._data.dtype))
        node = FillBackward3 if src._data.ndim == 0 else CopyBackwards
        inplace_update(self, write, lambda old: node(old, src))
        return None
    inputs = (value,) if is_t else ()
    inplace_update(self, write, lambda old: IndexPutBackward0(old, k, *inputs), wrap=not adv)
    return None


def _write(arr: np.ndarray, key, v, adv: bool) -> None:
    if not adv and type(v) is np.ndarray and v.ndim and np.may_share_memory(arr, v):
        _check_overlap(arr[key], v)
    try:
        arr[key] = v
    except IndexError as e:
        _raise_index_error(e, arr.shape, [key])
    except ValueError as e:
        msg = str(e)
        if "read-only" in msg:
            raise RuntimeError(
                "unsupported operation: more than one element of the written-to tensor refers to "
                "a single memory location. Please clone() the tensor before performing the "
                "operation."
            ) from None
        target, vs = arr[key].shape, np.shape(v)
        if adv:
            raise RuntimeError(
                f"shape mismatch: value tensor of shape {list(vs)} cannot be broadcast to "
                f"indexing result of shape {list(target)}"
            ) from None
        vs = vs[len(vs) - len(target):] if len(vs) > len(target) else vs
        bad = next((i for i in range(1, len(vs) + 1)
                    if vs[-i] not in (1, target[-i])), 1)
        raise RuntimeError(
            f"The expanded size of the tensor ({target[-bad]}) must match the existing size "
            f"({vs[-bad]}) at non-singleton dimension {len(target) - bad}.  Target sizes: "
            f"{list(target)}.  Tensor sizes: {list(vs)}"
        ) from None


def _check_overlap(dst: np.ndarray, src: np.ndarray) -> None:
    """torch refuses ``x[1:] = x[:-1]``: a copy between partly overlapping memory."""
    same = (dst.__array_interface__["data"][0] == src.__array_interface__["data"][0]
            and dst.strides == src.strides and dst.shape == src.shape)
    if not same and np.shares_memory(dst, src):
        raise RuntimeError(
            "unsupported operation: some elements of the input tensor and the written-to tensor "
            "refer to a single memory location. Please clone() the tensor before performing the "
            "operation."
        )


class IndexPutBackward0(Node):
    """Backward of ``x[key] = value``: the overwritten positions get no gradient from ``x``'s old
    values; ``value`` gets the gradient at ``key`` summed back to its shape."""

    def __init__(self, old, key, value=None):
        if value is None:
            super().__init__(old)
        else:
            super().__init__(old, value)
            self.vshape, self.vdtype = value._data.shape, value._data.dtype
        self.key = key

    accumulate = False  # index_put_(..., accumulate=True): the old values stay, adding up

    def backward(self, grad):
        needs = self.needs_input_grad
        g_old = None
        if needs[0] and self.accumulate:
            g_old = grad
        elif needs[0]:
            g_old = grad.clone()
            g_old[self.key] = 0
        if len(needs) == 1:
            return g_old
        g_val = None
        if needs[1]:
            g_val = unbroadcast(grad[self.key], self.vshape)
            if g_val._data.dtype != self.vdtype:
                g_val = _wrap(g_val._data.astype(self.vdtype))
        return g_old, g_val


Tensor.__getitem__, Tensor.__setitem__ = getitem, setitem

from .gather import *  # noqa: E402,F401,F403
from .gather import __all__ as _gather_all  # noqa: E402

__all__ = _gather_all
