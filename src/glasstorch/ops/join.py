"""Joining tensors (``cat``, ``stack``, ``hstack``, ``vstack``), tiling one (``repeat``,
``tile``), reordering copies (``flip``, ``roll``), slicing one dimension (``select``,
``narrow``) and splitting (``split``, ``chunk``, ``unbind``).

``cat`` glues tensors end to end along an existing dimension, ``stack`` along a new one. Their
backward cuts the gradient back into the pieces. Splitting is the reverse: each piece is a view of
the input, and the gradient of a piece lands in its own slice of the input's gradient.
"""

from __future__ import annotations

import numpy as np

from .. import _array, _dtype
from .._device import mixed
from .._tensor import Tensor, _dim, _wrap
from ..autograd.graph import Node, attach
from ..autograd.views import mark_multi_view, view_of
from ._inplace import write_out
from ._positions import put_into_zeros
from .indexing import SelectBackward0, SliceBackward0
from .shape import _shape_args


def _tensor_list(tensors, op: str) -> list:
    if isinstance(tensors, Tensor) or not isinstance(tensors, (tuple, list)):
        raise TypeError(
            f"{op}(): argument 'tensors' (position 1) must be tuple of Tensors, not "
            f"{type(tensors).__name__}"
        )
    return list(tensors)


def _common_dtype(tensors) -> np.dtype:
    """The dtype torch's promotion gives all ``tensors`` together (fast when they agree)."""
    first = tensors[0]._data.dtype
    if all(t._data.dtype is first for t in tensors):
        return first
    dt = tensors[0].dtype
    for t in tensors[1:]:
        dt = _dtype.promote_types(dt, t.dtype)
    return dt.np


def _one_device(arrs) -> None:
    """torch's error when the arrays are not all on one device (nothing to check without CUDA)."""
    if _array.DEVICE_TYPES:
        first = _array.device_index(arrs[0])
        for a in arrs:
            if _array.device_index(a) != first:
                raise mixed(arrs[0], a)


def cat(tensors, dim: int = 0, *, axis=None, out=None):
    """Concatenate ``tensors`` along the existing dimension ``dim``.

    All must have the same shape except along ``dim``: ``cat([(2, 3), (4, 3)])`` is ``(6, 3)``.
    Mixed dtypes promote as arithmetic does. 1-D empty tensors (shape ``(0,)``) are skipped, a
    rule torch keeps for old code.
    """
    tensors = _tensor_list(tensors, "cat")
    if axis is not None:
        dim = axis
    try:  # fast path: one dtype, and NumPy accepts the shapes
        arrs = [t._data for t in tensors]
        _one_device(arrs)
        first = arrs[0]
        nd = first.ndim
        if nd and all(a.dtype is first.dtype and a.ndim == nd for a in arrs):
            res = _wrap(np.concatenate(arrs, axis=dim))
            d = dim % nd
        else:
            res = None
    except (ValueError, IndexError, AttributeError):
        res = None
    if res is None:
        res, d = _checked_cat(tensors, dim)
    attach(res, CatBackward0, *tensors, dim=d)
    if out is not None:
        return write_out(res, out)
    return res


def _checked_cat(tensors, dim):
    """``cat`` with torch's checks and messages, dtype promotion and skipped ``(0,)`` tensors."""
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if t._data.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    kept = [t for t in tensors if t._data.shape != (0,)]
    ref = kept[0] if kept else tensors[0]
    d = _dim(dim, ref._data.ndim)
    shape = ref._data.shape
    for i, t in enumerate(tensors):
        s = t._data.shape
        if s == (0,) and t is not ref:
            continue
        if len(s) != len(shape):
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {len(shape)} and {len(s)}"
            )
        for j, (a, b) in enumerate(zip(shape, s)):
            if a != b and j != d:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {d}. Expected size {a} but "
                    f"got size {b} for tensor number {i} in the list."
                )
    dt = _common_dtype(tensors)
    arrs = [t._data for t in kept] or [ref._data]
    res = np.concatenate(arrs, axis=d, dtype=dt) if len(arrs) > 1 else arrs[0].astype(dt)
    return _wrap(res), d


class CatBackward0(Node):
    """Cut the gradient along ``dim`` into one piece per input (empty skipped ones get zeros)."""

    def __init__(self, *tensors, dim):
        super().__init__(*tensors)
        self.dim = dim
        self.shapes = [t._data.shape for t in tensors]
        self.dtypes = [t.dtype for t in tensors]

    def backward(self, grad):
        out, start = [], 0
        for need, shape, dt in zip(self.needs_input_grad, self.shapes, self.dtypes):
            if shape == (0,) and grad._data.ndim != 1:
                xp = _array.namespace(grad._data)
                out.append(_wrap(xp.zeros(shape, dt.np)) if need else None)
                continue
            n = shape[self.dim]
            if need:
                out.append(grad.narrow(self.dim, start, n).to(dt))
            else:
                out.append(None)
            start += n
        return tuple(out)


def stack(tensors, dim: int = 0, *, axis=None, out=None):
    """Join same-shape tensors along a new dimension ``dim``: three ``(2, 3)`` give ``(3, 2, 3)``.
    """
    tensors = _tensor_list(tensors, "stack")
    if axis is not None:
        dim = axis
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        if t._data.shape != shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(shape)} at entry 0 and "
                f"{list(t._data.shape)} at entry {i}"
            )
    d = _dim(dim, len(shape) + 1)
    dt = _common_dtype(tensors)
    if _array.DEVICE_TYPES:
        _one_device([t._data for t in tensors])
    res = _wrap(np.stack([t._data for t in tensors], axis=d, dtype=dt))
    attach(res, StackBackward0, *tensors, dim=d)
    if out is not None:
        return write_out(res, out)
    return res


class StackBackward0(Node):
    """Each input's gradient is its slice ``grad.select(dim, i)``."""

    def __init__(self, *tensors, dim):
        super().__init__(*tensors)
        self.dim = dim
        self.dtypes = [t.dtype for t in tensors]

    def backward(self, grad):
        out = []
        for i, (need, dt) in enumerate(zip(self.needs_input_grad, self.dtypes)):
            if not need:
                out.append(None)
                continue
            out.append(grad.select(self.dim, i).to(dt))
        return tuple(out)


def hstack(tensors, *, out=None):
    """Concatenate along dimension 1 (dimension 0 for 1-D tensors); 0-d tensors count as 1-D."""
    ts = [t if t._data.ndim else t.reshape(1) for t in _tensor_list(tensors, "hstack")]
    return cat(ts, 0 if ts and ts[0]._data.ndim == 1 else 1, out=out)


def vstack(tensors, *, out=None):
    """Concatenate along dimension 0 after making every tensor at least 2-D (rows)."""
    ts = [t if t._data.ndim >= 2 else t.reshape(1, -1) for t in _tensor_list(tensors, "vstack")]
    return cat(ts, 0, out=out)


concat = concatenate = cat
row_stack = vstack


# ---- tiling ---------------------------------------------------------------------------------
def repeat(input, *repeats, **kw):
    """Tile the tensor: dimension ``i`` repeated ``repeats[i]`` times (leading new dims allowed).

    ``(2, 3).repeat(2, 1, 2)`` has shape ``(2, 2, 6)``. Always a copy.
    """
    reps = _shape_args(repeats or (kw["repeats"],))
    x = input._data
    if len(reps) < x.ndim:
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions of "
            "tensor"
        )
    padded = (1,) * (len(reps) - x.ndim) + x.shape
    if any(r < 0 for r in reps):
        target = [r * s for r, s in zip(reps, padded)]
        raise RuntimeError(
            f"Trying to create tensor with negative dimension {min(target)}: {target}"
        )
    return attach(_wrap(np.tile(x, reps)), RepeatBackward0, input, reps=reps)


class RepeatBackward0(Node):
    """Sum the gradient over the copies: reshape to ``(r0, s0, r1, s1, ...)``, sum the r's."""

    def __init__(self, x, *, reps):
        super().__init__(x)
        self.shape = x._data.shape
        self.reps = reps

    def backward(self, grad):
        padded = (1,) * (len(self.reps) - len(self.shape)) + self.shape
        split = tuple(n for pair in zip(self.reps, padded) for n in pair)
        if not split:
            return grad.reshape(self.shape)
        g = grad.reshape(split).sum(dim=tuple(range(0, len(split), 2)))
        return g.reshape(self.shape)


def tile(input, dims):
    """``repeat`` that accepts fewer repeats than dimensions (the missing ones are 1)."""
    dims = tuple(dims)
    nd = input._data.ndim
    return repeat(input, (1,) * (nd - len(dims)) + dims)


def repeat_interleave(input, repeats=None, dim: int | None = None, *, output_size=None):
    """Repeat each element (or each slice along ``dim``) in place: ``[a, b]`` → ``[a, a, b, b]``.

    Where ``repeat`` tiles the whole tensor (``[a, b, a, b]``), this repeats each entry next to
    itself. ``repeats`` is an int (the same count for every slice) or an integer tensor: 0-d or
    one value (broadcast), or one count per slice along ``dim``. Without ``dim`` the input is
    flattened first. ``output_size``, if given, must be the total length along ``dim``.

    Shapes: input ``(2, 3)``, ``repeats=2, dim=0`` → ``(4, 3)``; ``repeats=tensor([1, 2]),
    dim=0`` → ``(3, 3)`` (row 0 once, row 1 twice); no ``dim`` → ``(12,)``.

    The one-argument form ``torch.repeat_interleave(repeats)`` (a 1-D count tensor) gives the
    indices ``0, 1, ...`` each repeated its count: ``tensor([1, 0, 2])`` → ``tensor([0, 2, 2])``.

    Gradient: each input slice receives the sum of the gradients of its copies.
    """
    if repeats is None:  # torch.repeat_interleave(repeats): indices repeated by their counts
        if input._data.dtype.kind in "iu" and input._data.ndim != 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        counts = _repeat_counts(input, None)
        return _wrap(_repeat_positions(counts).astype(input._data.dtype, copy=False))
    if dim is None:
        input, d = input.reshape(-1), 0
    else:
        d = _dim(int(dim), max(input._data.ndim, 1))
        if input._data.ndim == 0 and isinstance(repeats, Tensor):
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        if input._data.ndim == 0:  # torch adds a dimension after ``dim`` first
            _dim(d + 1, 1)
    n = input._data.shape[d] if input._data.ndim else 1
    if isinstance(repeats, Tensor):
        counts = _repeat_counts(repeats, n)
    elif isinstance(repeats, (int, np.integer)) and not isinstance(repeats, bool):
        if repeats < 0:
            raise RuntimeError("Repeats must be non-negative")
        counts = int(repeats)
    else:
        raise TypeError(
            f"repeat_interleave(): argument 'repeats' must be Tensor or int, not "
            f"{type(repeats).__name__}")
    total = counts * n if isinstance(counts, int) else int(counts.sum())
    if output_size is not None and int(output_size) != total:
        raise RuntimeError(
            f"repeat_interleave: Invalid output_size, expected {total} but got {output_size} "
            "(output_size must be the sum of the repeats along dim)")
    if isinstance(counts, int):  # every slice the same count: stretch a new axis, then merge it
        shape = input._data.shape
        wide = input.unsqueeze(d + 1).expand(*shape[:d + 1], counts, *shape[d + 1:])
        return wide.contiguous().view(*shape[:d], total, *shape[d + 1:])
    return input.index_select(d, _wrap(_repeat_positions(counts)))


def _repeat_positions(counts):
    """``i`` repeated ``counts[i]`` times, for each ``i`` (int64, on the device of ``counts``).
    CuPy's ``repeat`` takes no array of counts: on a GPU, the position of each output element is
    the number of count totals at or before it (``searchsorted`` of the running totals)."""
    if _array.on_host(counts):
        return np.repeat(np.arange(counts.size), counts)
    xp = _array.namespace(counts)
    ends = counts.cumsum()
    total = int(ends[-1]) if counts.size else 0
    return xp.searchsorted(ends, xp.arange(total), side="right").astype(np.int64, copy=False)


def _repeat_counts(repeats: Tensor, n: int | None) -> np.ndarray:
    """The counts of a ``repeats`` tensor as an int64 array of length ``n`` (one value
    broadcast), checked as torch checks them."""
    r = repeats._data
    if r.dtype.kind not in "iu":
        raise NotImplementedError(
            f'"repeat_interleave_cpu" not implemented for \'{_dtype.scalar_name(r.dtype)}\'')
    if r.ndim > 1:
        raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
    if n is not None:
        if r.ndim == 0 or r.size == 1:
            if _array.on_host(r):
                r = np.full(n, r.reshape(()), dtype=np.int64)
            else:
                r = _array.namespace(r).zeros(n, np.int64) + r.reshape(())
        elif r.size != n:
            raise RuntimeError(
                "repeats must have the same size as input along dim, but got repeats.size(0) = "
                f"{r.size} and input.size(0) = {n}")
    if r.size and r.min() < 0:
        raise RuntimeError("repeats can not be negative")
    return r.astype(np.int64, copy=False)


# ---- reordering copies ----------------------------------------------------------------------
def flip(input, *dims, **kw):
    """Reverse the order of elements along each of ``dims`` (a copy, as in torch)."""
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = dims[0]
    elif not dims:
        dims = kw.get("dims", ())
        dims = (dims,) if isinstance(dims, int) else dims
    x = input._data
    axes = [_dim(int(d), x.ndim) for d in dims]
    if len(set(axes)) != len(axes):
        dup = next(d for d in axes if axes.count(d) > 1)
        raise RuntimeError(f"dim {dup} appears multiple times in the list of dims")
    arr = np.flip(x, tuple(axes)).copy() if x.ndim else x.copy()
    return attach(_wrap(arr), FlipBackward0, input, dims=tuple(axes))


class FlipBackward0(Node):
    """Backward of ``flip``: the gradient flipped back along the same dimensions."""

    def __init__(self, x, *, dims):
        super().__init__(x)
        self.dims = dims

    def backward(self, grad):
        return grad.flip(self.dims)


def roll(input, shifts, dims=None):
    """Shift elements along ``dims`` by ``shifts``, wrapping around; no ``dims``: the flattened
    tensor is rolled and the shape restored."""
    sh = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    x = input._data
    if dims is None:
        if len(sh) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(sh)}, dims:0")
        arr = np.roll(x, sh[0])
        axes = None
    else:
        dd = (dims,) if isinstance(dims, int) else tuple(dims)
        if len(sh) != len(dd):
            raise RuntimeError(
                f"shifts and dimensions must align. shifts: {len(sh)}, dims:{len(dd)}"
            )
        axes = tuple(_dim(d, x.ndim) for d in dd)
        arr = np.roll(x, sh, axes)
    return attach(_wrap(arr), RollBackward0, input, shifts=sh, dims=axes)


class RollBackward0(Node):
    """Backward of ``roll``: the gradient rolled back by the opposite shifts."""

    def __init__(self, x, *, shifts, dims):
        super().__init__(x)
        self.shifts, self.dims = tuple(-s for s in shifts), dims

    def backward(self, grad):
        return grad.roll(self.shifts if self.dims is not None else self.shifts[0], self.dims)


# ---- slicing along one dimension ------------------------------------------------------------
_FULL = slice(None)


def select(input, dim: int, index: int):
    """The slice at ``index`` along ``dim``, that dimension removed (a view): ``x[:, i]``."""
    x = input._data
    if x.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = _dim(dim, x.ndim)
    n = x.shape[d]
    if not -n <= index < n:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size {list(x.shape)} at "
            f"dimension {d}"
        )
    key = (_FULL,) * d + (index, Ellipsis)
    return attach(view_of(input, x[key]), SelectBackward0, input, key=key)


def narrow(input, dim: int, start: int, length: int):
    """Elements ``start .. start + length - 1`` along ``dim`` (a view): ``x.narrow(0, 1, 2)`` is
    ``x[1:3]``. A negative ``start`` counts from the end."""
    x = input._data
    if x.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = _dim(dim, x.ndim)
    n = x.shape[d]
    start = int(start)
    if not -n <= start <= n:
        raise IndexError(
            f"start out of range (expected to be in range of [{-n}, {n}], but got {start})"
        )
    if start < 0:
        start += n
    if start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    key = (_FULL,) * d + (slice(start, start + length), Ellipsis)
    return attach(view_of(input, x[key]), SliceBackward0, input, key=key)


# ---- splitting ------------------------------------------------------------------------------
def split(tensor, split_size_or_sections=None, dim: int = 0, *, split_size=None):
    """Cut ``tensor`` along ``dim`` into views: pieces of ``split_size`` (an int; the last may be
    smaller) or of the listed sizes. ``(5, 2).split(2)`` gives shapes ``(2, 2), (2, 2), (1, 2)``."""
    if split_size_or_sections is None:
        split_size_or_sections = split_size
    x = tensor._data
    if x.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = _dim(dim, x.ndim)
    n = x.shape[d]
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size "
                f"at dimension {d}), but got split_sizes={sizes}"
            )
        node = SplitWithSizesBackward0
    else:
        size = int(split_size_or_sections)
        if size == 0 and n != 0:
            raise RuntimeError(
                f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}"
            )
        if size < 0:
            raise RuntimeError(
                f"split expects split_size be non-negative, but got split_size={size}"
            )
        # a dimension of size 0 still gives one (empty) piece, as in torch
        sizes = [size] * (n // size) + ([n % size] if n % size else []) if size and n else [0]
        node = SplitBackward0
    return _pieces(tensor, d, sizes, node)


def _pieces(tensor, d, sizes, node):
    """Views of ``tensor`` cut along ``d`` into pieces of ``sizes``, each with its own ``node``."""
    x = tensor._data
    lead = (slice(None),) * d
    outs, start = [], 0
    for s in sizes:
        piece = view_of(tensor, x[lead + (slice(start, start + s),)])
        outs.append(attach(piece, node, tensor, dim=d, start=start, length=s))
        start += s
    return mark_multi_view(tensor, tuple(outs))


class SplitBackward0(Node):
    """One piece's gradient placed in its slice of zeros shaped like the input."""

    def __init__(self, x, *, dim, start, length):
        super().__init__(x)
        self.shape = x._data.shape
        self.key = (slice(None),) * dim + (slice(start, start + length),)

    def backward(self, grad):
        return put_into_zeros(grad, self.shape, self.key)


class SplitWithSizesBackward0(SplitBackward0):
    """Backward of ``split`` with a list of sizes."""


def chunk(input, chunks: int, dim: int = 0):
    """Cut into ``chunks`` views of equal size (the last may be smaller; there may be fewer)."""
    x = input._data
    if x.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = _dim(dim, x.ndim)
    n = x.shape[d]
    size = -(-n // chunks)
    if size == 0:
        return _pieces(input, d, [0] * chunks, SplitBackward0)
    return split(input, size, d)


def unbind(input, dim: int = 0):
    """The slices along ``dim`` as a tuple of views: a ``(3, 4)`` gives three ``(4,)`` tensors."""
    x = input._data
    if x.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = _dim(dim, x.ndim)
    lead = (slice(None),) * d
    return mark_multi_view(input, tuple(
        attach(view_of(input, x[lead + (i, Ellipsis)]), UnbindBackward0, input, dim=d, index=i)
        for i in range(x.shape[d])))


class UnbindBackward0(Node):
    """One slice's gradient placed at its index in zeros shaped like the input."""

    def __init__(self, x, *, dim, index):
        super().__init__(x)
        self.shape = x._data.shape
        self.key = (slice(None),) * dim + (index,)

    def backward(self, grad):
        return put_into_zeros(grad, self.shape, self.key)


Tensor.split, Tensor.chunk, Tensor.unbind = split, chunk, unbind
Tensor.repeat, Tensor.tile, Tensor.repeat_interleave = repeat, tile, repeat_interleave
Tensor.flip, Tensor.roll, Tensor.select, Tensor.narrow = flip, roll, select, narrow

__all__ = ["cat", "concat", "concatenate", "stack", "hstack", "vstack", "row_stack", "tile",
           "repeat_interleave",
           "flip", "roll", "select", "narrow", "split", "chunk", "unbind"]
