"""Selecting reductions: max/min, amax/amin, argmax/argmin, aminmax, median, cummax/cummin,
unique.

Three ways to ask for the largest element, as in torch:

- ``x.max()`` — the largest value of the whole tensor (0-d). Its gradient is split evenly
  between the elements that tie for the maximum.
- ``x.max(dim)`` — a named tuple ``(values, indices)`` along ``dim``. The gradient goes only to
  the element at ``indices`` (the first of any ties).
- ``x.amax(dim)`` — values only, ``dim`` may be a tuple; ties share the gradient evenly per slice.

``torch.max(x, y)`` with two tensors is the elementwise ``maximum`` (in ``pointwise``).
"""

from __future__ import annotations

import numpy as np

from ... import _array
from ..._tensor import Tensor, _dim, _wrap
from ...autograd.graph import Node, attach
from .._inplace import write_out as _write_out
from ..pointwise import maximum, minimum
from ._dims import cast, dim_kw, dims_arg, expand_back, keep_shape, scan
from .return_types import return_types


# ---- helpers ------------------------------------------------------------------------------------
def _empty_check(x: np.ndarray, name: str, dim=None) -> None:
    """torch refuses to pick an element out of nothing; say which reduction and what to do."""
    if dim is None:
        if x.size == 0:
            exc = IndexError if name.startswith("arg") else RuntimeError
            fix = "" if exc is IndexError else (
                " Specify the reduction dim with the 'dim' argument.")
            raise exc(
                f"{name}(): Expected reduction dim to be specified for input.numel() == 0.{fix}"
            )
    elif x.ndim and x.shape[dim] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {dim} to have non-zero size.")


def _tie_weights(x: np.ndarray, out: np.ndarray, dims) -> np.ndarray:
    """1/k at each of the k elements equal to the (keepdim-shaped) extreme ``out``, else 0.

    A NaN extreme equals nothing, so that slice's weights are NaN: torch's ``amax``/``amin``
    spread the gradient as ``grad * weights``, and a NaN gradient reaches every element too."""
    w = (x == out).astype(x.dtype)
    with np.errstate(invalid="ignore", divide="ignore"):
        return w / np.sum(w, axis=dims, keepdims=True)


# ---- max / min ----------------------------------------------------------------------------------
def _extreme(name, np_red, method, np_arg, whole_node, dim_node, elementwise):
    """max or min: ``np_red`` (NumPy's ufunc reduce, the fastest on the CPU) or, for a GPU
    array, ``method`` (CuPy has no ufunc reduce but for add and multiply)."""
    def op(input, dim=None, keepdim=False, *, out=None, **kwargs):
        if kwargs:
            dim, keepdim = dim_kw(dim, dict(kwargs, keepdim=keepdim))
        if isinstance(dim, Tensor):  # torch.max(x, y): elementwise
            return elementwise(input, dim, out=out)
        x = input._data
        if dim is None:
            _empty_check(x, name)
            res = _wrap(np.asarray(np_red(x, axis=None)) if type(x) is np.ndarray else
                        method(x, axis=None))
            return _write_out(attach(res, whole_node, input), out)
        if not isinstance(keepdim, (bool, np.bool_)):
            raise TypeError(
                f"{name}(): argument 'keepdim' (position 2) must be bool, not "
                f"{type(keepdim).__name__}"
            )
        d = _dim(int(dim), x.ndim)
        _empty_check(x, name, d)
        if x.ndim == 0:
            values, idx = _wrap(x.copy()), _wrap(_array.like(x, np.zeros((), np.int64)))
        else:  # both NaN-aware: max propagates NaN, argmax points at the first NaN
            values = _wrap(np_red(x, axis=d, keepdims=keepdim) if type(x) is np.ndarray else
                           method(x, axis=d, keepdims=keepdim))
            idx = _wrap(np_arg(x, axis=d, keepdims=keepdim).astype(np.int64, copy=False))
        attach(values, dim_node, input, idx._data, dims=(d,) if x.ndim else (), keepdim=keepdim)
        if out is not None:  # out=(values, indices)
            values, idx = _write_out(values, out[0]), _write_out(idx, out[1])
        return return_types[name](values, idx)

    op.__name__ = name
    op.__doc__ = (
        f"The {name}imum: of the whole tensor (0-d) with no ``dim``; with ``dim`` a named tuple "
        f"``(values, indices)`` along it (``keepdim`` keeps it as size 1); with a tensor as second "
        f"argument the elementwise ``{elementwise.__name__}``.\n\n"
        f"``x`` of shape ``(2, 3)``: ``x.{name}(1)`` gives values and indices of shape ``(2,)``."
    )
    return op


class _WholeBackward(Node):
    """Gradient of ``x.max()``: split evenly between the elements that tie for the extreme (the
    NaNs, when the extreme is NaN), written into zeros: the others get exactly 0, even when the
    gradient is NaN or inf (a product ``grad * mask`` would give them ``nan * 0 = nan``)."""

    keeps_output = True

    def __init__(self, x):
        super().__init__(x)
        self.save(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        xs, out = x._data, self.saved_output._data
        hit = np.isnan(xs) if xs.dtype.kind in "fc" and np.isnan(out) else xs == out
        zeros = _wrap(_array.namespace(xs).zeros(xs.shape, dtype=grad._data.dtype))
        return zeros.masked_fill(_wrap(hit), grad / int(np.count_nonzero(hit)))


class MaxBackward1(_WholeBackward):
    pass


class MinBackward1(_WholeBackward):
    pass


class _IndexBackward(Node):
    """Gradient of ``x.max(dim)``: all of it to the element at the returned index (``indices``,
    an array, not a tensor: an index is a constant, not part of the graph)."""

    def __init__(self, x, indices, *, dims, keepdim):
        super().__init__(x)
        self.save(indices)
        self.shape, self.dims, self.keepdim = x._data.shape, dims, keepdim

    def backward(self, grad):
        (indices,) = self.saved_tensors
        d = self.dims[0] if self.dims else 0  # a 0-d input: dim 0, nothing squeezed
        return scatter_back(grad, indices, self.shape, d, self.keepdim or not self.dims)


def scatter_back(grad, indices: np.ndarray, shape: tuple, d: int, keepdim: bool):
    """Zeros of ``shape`` with each gradient written where its value was picked along ``d``
    (``indices``: one per slice, in the reduced shape, or keepdim shape with ``keepdim``).

    ``shape=(2, 3)``, ``d=1``, ``indices=[2, 0]``: ``[[0, 0, g0], [g1, 0, 0]]``. Writing into
    zeros (not multiplying by a one-hot mask) keeps a NaN gradient off the unpicked elements."""
    if not keepdim:
        indices = np.expand_dims(indices, d)
        grad = grad.reshape(indices.shape)
    zeros = _wrap(_array.namespace(indices).zeros(shape, dtype=grad._data.dtype))
    return zeros.scatter(d, _wrap(indices), grad)


class MaxBackward0(_IndexBackward):
    pass


class MinBackward0(_IndexBackward):
    pass


class MedianBackward1(_IndexBackward):
    pass


def _max(x, axis, keepdims=False):
    return x.max(axis=axis, keepdims=keepdims)  # (as fast as np.amax on the CPU, or faster)


def _min(x, axis, keepdims=False):
    return x.min(axis=axis, keepdims=keepdims)


max = _extreme("max", np.maximum.reduce, _max, np.argmax, MaxBackward1, MaxBackward0, maximum)
min = _extreme("min", np.minimum.reduce, _min, np.argmin, MinBackward1, MinBackward0, minimum)


# ---- amax / amin --------------------------------------------------------------------------------
def _a_extreme(name, np_red):
    def op(input, dim=(), keepdim=False, *, out=None, **kwargs):
        if kwargs:
            dim, keepdim = dim_kw(dim, dict(kwargs, keepdim=keepdim))
        x = input._data
        if x.size == 0 and x.ndim:  # torch checks emptiness first, naming the dim as given
            for d in (dim if isinstance(dim, (list, tuple)) else (dim,)):
                if x.shape[_dim(int(d), x.ndim)] == 0:
                    raise IndexError(
                        f"{name}(): Expected reduction dim {d} to have non-zero size."
                    )
        dims = dims_arg(dim, x.ndim)
        if dims is None:
            _empty_check(x, name)
        res = _wrap(np_red(x, axis=dims, keepdims=keepdim))
        node = AmaxBackward0 if name == "amax" else AminBackward0
        return _write_out(attach(res, node, input, dims=dims, keepdim=keepdim), out)

    op.__name__ = name
    op.__doc__ = (
        f"The {name[1:]}imum values over ``dim`` (int or tuple; default all dims), without "
        "indices. Ties share the gradient evenly. ``(2, 3, 4)`` over ``(0, 2)`` gives ``(3,)``."
    )
    return op


class AmaxBackward0(Node):
    """Gradient of ``amax``: split evenly between the tying elements of each slice."""

    keeps_output = True

    def __init__(self, x, *, dims, keepdim):
        super().__init__(x)
        self.save(x)
        self.dims, self.keepdim = dims, keepdim

    def backward(self, grad):
        (x,) = self.saved_tensors
        shape, dims = x._data.shape, self.dims
        out = self.saved_output._data
        if not self.keepdim:
            out = out.reshape(keep_shape(shape, dims))
        w = _tie_weights(x._data, out, dims)
        return expand_back(grad, shape, dims, self.keepdim) * _wrap(w)


class AminBackward0(AmaxBackward0):
    pass


amax = _a_extreme("amax", _max)
amin = _a_extreme("amin", _min)


def aminmax(input: Tensor, *, dim=None, keepdim: bool = False):
    """``(min, max)`` in one call, as the named tuple ``torch.return_types.aminmax``."""
    x = input._data
    if dim is None:
        d = ()
    else:
        d = _dim(int(dim), x.ndim)
        if x.ndim and x.shape[d] == 0:
            raise IndexError(f"aminmax: Expected reduction dim {d} to have non-zero size.")
    return return_types["aminmax"](amin(input, d, keepdim), amax(input, d, keepdim))


# ---- argmax / argmin ----------------------------------------------------------------------------
def _arg_extreme(name, np_arg):
    def op(input, dim=None, keepdim=False, **kwargs):
        if kwargs:
            dim, keepdim = dim_kw(dim, dict(kwargs, keepdim=keepdim))
        x = input._data
        if x.dtype == np.bool_:
            raise RuntimeError(f"{name}(): does not support bool input")
        if dim is None:
            _empty_check(x, name)
            i = cast(np_arg(x), np.int64)
            return _wrap(i.reshape((1,) * x.ndim) if keepdim else i)
        d = _dim(int(dim), x.ndim)
        _empty_check(x, name, d)
        if x.ndim == 0:
            return _wrap(_array.like(x, np.zeros((), np.int64)))
        return _wrap(np_arg(x, axis=d, keepdims=keepdim).astype(np.int64, copy=False))

    op.__name__ = name
    op.__doc__ = (
        f"Index of the {name[3:]}imum (the first one on ties), as int64: over the flattened "
        "tensor without ``dim``, else along ``dim``. Not differentiable."
    )
    return op


argmax = _arg_extreme("argmax", np.argmax)
argmin = _arg_extreme("argmin", np.argmin)


# ---- median -------------------------------------------------------------------------------------
def median(input: Tensor, dim=None, keepdim: bool = False, **kwargs):
    """The lower median (the middle element of the sorted values, the smaller of the two middle
    ones for an even count; NaN if any is NaN). With ``dim``, the named tuple ``(values,
    indices)``; gradient flows to the element at the index."""
    if kwargs:
        dim, keepdim = dim_kw(dim, dict(kwargs, keepdim=keepdim))
    x = input._data
    if dim is None:
        flat = x.reshape(-1)
        if flat.size == 0:
            return attach(_wrap(_array.like(x, _nothing_median(x.dtype))), MedianBackward0, input)
        if x.dtype == np.bool_:
            raise NotImplementedError('"median_cpu" not implemented for \'Bool\'')
        res = _wrap(flat[_median_index(flat, 0)])
        return attach(res, MedianBackward0, input)
    d = _dim(int(dim), x.ndim)
    _empty_check(x, "median", d)
    if x.dtype == np.bool_:
        raise NotImplementedError('"median_out" not implemented for \'Bool\'')
    if x.ndim == 0:
        values, idx = _wrap(x.copy()), _wrap(_array.like(x, np.zeros((), np.int64)))
    else:
        idx_k = np.expand_dims(_median_index(x, d), d)
        vals = np.take_along_axis(x, idx_k, axis=d)
        if not keepdim:
            idx_k, vals = idx_k.squeeze(d), vals.squeeze(d)
        values, idx = _wrap(vals), _wrap(idx_k)
    attach(values, MedianBackward1, input, idx._data, dims=(d,) if x.ndim else (), keepdim=keepdim)
    return return_types["median"](values, idx)


def _nothing_median(dtype: np.dtype) -> np.ndarray:
    """What torch's median of an empty tensor holds: NaN for floats (True for bool); for
    integers, NaN converted to the type as the CPU does it (the lowest value for 32 and 64 bits,
    0 for narrower ones)."""
    if dtype.kind in "fcb":  # NaN, or (a bool) NaN taken as true
        return np.asarray(np.nan, dtype=dtype)
    if dtype.itemsize >= 4:
        return np.asarray(np.iinfo(dtype).min, dtype=dtype)
    return np.zeros((), dtype=dtype)


def _median_index(x: np.ndarray, axis: int) -> np.ndarray:
    """Index of the lower median along ``axis`` (of the first NaN, if any: NaN propagates)."""
    order = np.argsort(x, axis=axis, kind="stable")  # NaNs sort last
    k = (x.shape[axis] - 1) // 2
    pick = np.take(order, k, axis=axis)
    if x.dtype.kind in "fc":
        nan = np.isnan(x)
        has_nan = nan.any(axis=axis)
        if has_nan.any():
            pick = np.where(has_nan, np.argmax(nan, axis=axis), pick)
    return pick.astype(np.int64)


class MedianBackward0(_WholeBackward):
    """Gradient of the whole-tensor median: as ``max()``'s, split evenly between the elements
    equal to the median (torch's choice), zeros elsewhere."""

    def backward(self, grad):
        if not self.saved_output._data.shape and self.saved_tensors[0]._data.size == 0:
            return _wrap(np.zeros_like(self.saved_tensors[0]._data, dtype=grad._data.dtype))
        return super().backward(grad)


# ---- mode ---------------------------------------------------------------------------------------
def mode(input: Tensor, dim: int = -1, keepdim: bool = False):
    """The most frequent value along ``dim`` and where it occurs, as the named tuple ``(values,
    indices)``. Among values equally frequent, the smallest wins; the index is that of its last
    occurrence (torch's choices). NaN never equals NaN, so each NaN counts once. The gradient
    goes to the element at the index.

    ``[[1, 2, 2], [3, 3, 1]]`` along ``dim=1``: values ``[2, 3]``, indices ``[2, 1]``."""
    x = input._data
    d = _dim(int(dim), x.ndim)
    if x.ndim and x.shape[d] == 0:
        raise IndexError(f"mode(): Expected reduction dim {d} to have non-zero size.")
    if x.ndim == 0:
        values, idx = x.copy(), _array.like(x, np.zeros((), np.int64))
    elif x.size == 0:  # no slices at all: empty results
        shape = keep_shape(x.shape, (d,)) if keepdim else x.shape[:d] + x.shape[d + 1:]
        xp = _array.namespace(x)
        values, idx = xp.empty(shape, x.dtype), xp.empty(shape, np.int64)
    else:
        if _array.on_host(x):
            rows = np.moveaxis(x, d, -1).reshape(-1, x.shape[d])
            pick = np.array([_mode_index(r) for r in rows], dtype=np.int64)
            idx = pick.reshape(np.moveaxis(x, d, -1).shape[:-1])
        else:  # a loop over rows would sync the GPU once per row: all rows at once instead
            idx = _mode_indices(np.moveaxis(x, d, -1))
        idx = np.expand_dims(idx, d)
        values = np.take_along_axis(x, idx, axis=d)
        if not keepdim:
            idx, values = idx.squeeze(d), values.squeeze(d)
    res = _wrap(values)
    attach(res, ModeBackward0, input, idx, dims=(d,) if x.ndim else (), keepdim=keepdim)
    return return_types["mode"](res, _wrap(idx))


def _mode_index(row: np.ndarray) -> int:
    """Index of the mode of one 1-D ``row``: in sorted order (NaNs last), the longest run of equal
    values (the first, smallest, of equally long ones); its last position in ``row``."""
    order = np.argsort(row, kind="stable")
    s = row[order]
    starts = np.flatnonzero(np.concatenate(([True], s[1:] != s[:-1])))  # NaN != NaN: new runs
    lengths = np.diff(np.append(starts, len(s)))
    run = int(np.argmax(lengths))
    return int(order[starts[run]:starts[run] + lengths[run]].max())


def _mode_indices(rows):
    """``_mode_index`` of every row (the last axis) at once, for a GPU array. In sorted order
    each position knows where its run of equal values starts and ends (running max/min of the
    run boundaries); the first position of greatest run length lies in the smallest of the
    longest runs, and the answer is the largest original index in that run."""
    last = rows.ndim - 1
    n = rows.shape[last]
    order = np.argsort(rows, axis=last, kind="stable")
    s = np.take_along_axis(rows, order, axis=last)
    xp = _array.namespace(rows)
    starts = xp.ones(s.shape, dtype=bool)
    starts[..., 1:] = s[..., 1:] != s[..., :-1]  # NaN != NaN: each NaN is a run of its own
    ends = xp.ones(s.shape, dtype=bool)
    ends[..., :-1] = starts[..., 1:]
    pos = xp.arange(n)
    start = scan(np.maximum, np.where(starts, pos, 0), last)
    end = np.flip(scan(np.minimum, np.flip(np.where(ends, pos, n - 1), last), last), last)
    best = np.argmax(end - start, axis=last, keepdims=True)
    in_run = start == np.take_along_axis(start, best, axis=last)
    return np.where(in_run, order, -1).max(axis=last).astype(np.int64)


class ModeBackward0(_IndexBackward):
    pass


# ---- cummax / cummin ----------------------------------------------------------------------------
def _running_extreme(name, accumulate, better_or_equal):
    def op(input, dim: int):
        x = input._data
        d = _dim(int(dim), x.ndim)
        if x.ndim == 0:
            values, idx = x.copy(), _array.like(x, np.zeros((), np.int64))
        else:
            values = scan(accumulate, x, d)
            # the index moves to each element that reaches (ties: equals) the running extreme
            hit = better_or_equal(x, values)
            if x.dtype.kind in "fc":
                hit |= np.isnan(x)
            shape = [1] * x.ndim
            shape[d] = x.shape[d]
            xp = _array.namespace(x)
            positions = np.where(hit, xp.arange(x.shape[d]).reshape(shape), 0)
            idx = scan(np.maximum, positions, d).astype(np.int64) if x.size else (
                xp.zeros(x.shape, np.int64))
        res = _wrap(values)
        node = CummaxBackward0 if name == "cummax" else CumminBackward0
        attach(res, node, input, idx, dim=d)
        return return_types[name](res, _wrap(idx))

    op.__name__ = name
    op.__doc__ = (
        f"The running {name[3:]}imum along ``dim`` and where it was reached, as the named tuple "
        "``(values, indices)`` (same shape as ``input``). On ties the index moves to the later "
        "element; NaN, once met, propagates."
    )
    return op


class _RunningBackward(Node):
    """Each output's gradient goes to the element that supplied its value (summed there)."""

    def __init__(self, x, indices, *, dim):
        super().__init__(x)
        self.save(indices)
        self.shape, self.dim = x._data.shape, dim

    def backward(self, grad):
        if not self.shape:
            return grad
        (indices,) = self.saved_tensors
        zeros = _wrap(_array.namespace(indices).zeros(self.shape, dtype=grad._data.dtype))
        return zeros.scatter_add(self.dim, _wrap(indices), grad)


class CummaxBackward0(_RunningBackward):
    pass


class CumminBackward0(_RunningBackward):
    pass


cummax = _running_extreme("cummax", np.maximum, np.greater_equal)
cummin = _running_extreme("cummin", np.minimum, np.less_equal)


# ---- unique / unique_consecutive -----------------------------------------------------------------
def unique(
    input: Tensor, sorted=True, return_inverse=False, return_counts=False, dim=None
) -> Tensor | tuple:
    """The distinct values, in ascending order (each NaN counts as distinct, as torch); with
    ``dim``, the distinct slices along it. ``return_inverse`` adds, for each input element (or
    slice), the index of its value in the output; ``return_counts`` adds how often each occurs.
    Not differentiable. ``sorted=False`` is accepted and also sorts (as torch does on CPU)."""
    x = input._data
    if dim is None:
        flat = x.reshape(-1)
        equal_nan = {} if x.dtype.kind not in "fc" else {"equal_nan": False}
        values, inverse, counts = np.unique(flat, return_inverse=True, return_counts=True,
                                            **equal_nan)
        inverse = inverse.reshape(x.shape)
    else:
        d = _dim(int(dim), x.ndim)
        if sum(n == 0 for n in x.shape) > 1:
            raise RuntimeError(
                "Number of zero sized dimensions is more than one, so unique cannot be applied"
            )
        if x.size == 0 and any(n == 0 for i, n in enumerate(x.shape) if i != d):
            raise RuntimeError(
                "There are 0 sized dimensions, and they aren't selected, so unique cannot be "
                "applied"
            )
        if x.shape[d] == 0:
            xp = _array.namespace(x)
            values, inverse, counts = x, xp.zeros(0, np.int64), xp.zeros(0, np.int64)
        else:
            values, inverse, counts = np.unique(x, axis=d, return_inverse=True,
                                                return_counts=True)
            inverse = inverse.reshape(-1)
    return _unique_result(values, inverse, counts, return_inverse, return_counts)


def unique_consecutive(
    input: Tensor, return_inverse=False, return_counts=False, dim=None
) -> Tensor | tuple:
    """Collapse runs of equal consecutive values (or slices along ``dim``) to one: ``[1, 1, 2,
    1]`` gives ``[1, 2, 1]``. ``return_inverse``/``return_counts`` as in ``unique``."""
    x = input._data
    if dim is None:
        seq, axis = x.reshape(-1), 0
    else:
        axis = _dim(int(dim), x.ndim)
        seq = x
    n = seq.shape[axis] if seq.ndim else 0
    xp = _array.namespace(x)
    first = xp.ones(n, dtype=bool)  # where a new run starts
    if n:
        moved = np.moveaxis(seq, axis, 0).reshape(n, -1)
        first[1:] = np.any(moved[1:] != moved[:-1], axis=1)
    starts = np.flatnonzero(first)
    values = np.take(seq, starts, axis=axis)
    run = np.cumsum(first) - 1
    counts = np.diff(starts, append=n)
    inverse = run.reshape(x.shape) if dim is None else run
    return _unique_result(values, inverse, counts, return_inverse, return_counts)


def _unique_result(values, inverse, counts, return_inverse, return_counts):
    out = [_wrap(_array.namespace(values).ascontiguousarray(values))]
    if return_inverse:
        out.append(_wrap(inverse.astype(np.int64, copy=False)))
    if return_counts:
        out.append(_wrap(counts.astype(np.int64, copy=False)))
    return out[0] if len(out) == 1 else tuple(out)


Tensor.max, Tensor.min, Tensor.amax, Tensor.amin, Tensor.aminmax = max, min, amax, amin, aminmax
Tensor.unique, Tensor.unique_consecutive = unique, unique_consecutive
Tensor.cummax, Tensor.cummin = cummax, cummin
Tensor.argmax, Tensor.argmin, Tensor.median = argmax, argmin, median
Tensor.mode = mode

__all__ = [
    "max", "min", "amax", "amin", "aminmax", "argmax", "argmin", "median", "mode", "unique",
    "unique_consecutive", "cummax", "cummin",
]
