"""Indexing by index tensors along one dimension: ``gather``/``scatter``,
``index_select``/``index_add_``/``index_copy_``, ``take`` (masks are in ``masking``).

``gather(x, dim, index)`` reads ``out[i][j] = x[i][index[i][j]]`` (for ``dim=1``); ``scatter``
writes the other way. Both are advanced indexing with an open grid: along ``dim`` the positions come
from ``index``, along every other dimension from the position in ``index`` itself
(``_grid_key``). Their gradients reuse ``_positions``: what one reads, the other writes.

Every node here keeps its ``index`` tensor with ``save``, so changing the index in place before
backward is an error (as in torch) rather than a gradient sent to the wrong positions.
"""

from __future__ import annotations

import numpy as np

from .. import _array, _dtype
from .._device import mixed
from .._tensor import Tensor, _dim, _wrap
from ..autograd.graph import Node, NotImplemented, attach
from ..autograd.views import inplace_update
from ._checks import scalar_for
from ._inplace import check_internal_overlap, in_graph, inplace_from, unrecorded
from ._positions import accumulate_into_zeros, add_at_positions, add_rows, put_into_zeros

_FULL = slice(None)


_NO_REDUCE_GRAD = "the derivative for 'scatter' with `reduce` is not implemented."

def _int_index(index: Tensor, op: str, what: str = "int32/int64") -> np.ndarray:
    if not isinstance(index, Tensor) or index._data.dtype.kind not in "iu" or (
            index._data.dtype == np.uint8):
        raise RuntimeError(f"{op}(): Expected dtype {what} for index")
    return index._data


def _same_device(x, a) -> None:
    """torch's error when the array ``a`` (a source of values) is not on ``x``'s device."""
    if type(a) is not type(x) or not (_array.on_host(x) or x.device.id == a.device.id):
        raise mixed(x, a)


def _index_on(x, idx):
    """The index array ``idx`` on ``x``'s device: a CPU index goes to ``x``'s GPU, as for
    ``x[index]`` (torch itself wants these ops' index on ``x``'s device; glasstorch moves a CPU
    one there, for code that builds its indices with NumPy); a GPU index must be on ``x``'s."""
    if _array.on_host(idx):
        return _array.like(x, idx)
    if _array.on_host(x) or x.device.id != idx.device.id:
        raise mixed(x, idx)
    return idx


def _check_bounds(idx: np.ndarray, n: int, dim: int, neg_ok: bool = False) -> None:
    if idx.size:
        lo, hi = idx.min(), idx.max()
        if hi >= n or lo < (-n if neg_ok else 0):
            bad = hi if hi >= n else lo
            raise RuntimeError(f"index {bad} is out of bounds for dimension {dim} with size {n}")


def _grid_key(index: np.ndarray, dim: int, x_ndim: int) -> tuple:
    """The advanced key picking, at each position p of ``index``, element ``p`` of the input with
    ``p[dim]`` replaced by ``index[p]``. As in torch, a 0-d tensor counts as one element along
    one dimension: a 0-d ``index`` picks ``x[index]`` of a 1-D input (a 0-d result), and every
    index of a 0-d input picks its one element (the key ``()``)."""
    if not x_ndim:
        return ()
    if not index.ndim:
        return (index,)
    if _array.on_host(index):
        grid = list(np.indices(index.shape, sparse=True))
    else:  # (CuPy's ``indices`` has no ``sparse``: the same aranges, shaped to broadcast)
        xp, nd = _array.namespace(index), index.ndim
        grid = [xp.arange(n).reshape((1,) * i + (n,) + (1,) * (nd - i - 1))
                for i, n in enumerate(index.shape)]
    grid[dim] = index
    return tuple(grid)


def _size(a: np.ndarray, d: int) -> int:
    return a.shape[d] if a.ndim else 1  # (a 0-d tensor has one element along its one dim)


def _check_sizes(op, x, index, dim, src=None):
    if index.ndim != x.ndim and not (index.ndim <= 1 and x.ndim <= 1):
        whose = "input" if op == "gather" else "self"
        raise RuntimeError(f"Index tensor must have the same number of dimensions as {whose} "
                           "tensor")
    for d in range(max(index.ndim, 1)):
        if d != dim and _size(index, d) > _size(x, d):
            raise RuntimeError(
                f"Size does not match at dimension {d} expected index {list(index.shape)} to be no "
                f"larger than self {list(x.shape)} apart from dimension {dim}"
            )
        if src is not None and _size(index, d) > _size(src, d):
            raise RuntimeError(
                f"Expected index {list(index.shape)} to be no larger than self {list(x.shape)} "
                f"apart from dimension {dim} and to be no larger size than src {list(src.shape)}"
            )


# ---- gather / scatter -----------------------------------------------------------------------
def gather(input, dim: int, index, *, sparse_grad: bool = False, out=None):
    """Pick along ``dim`` by ``index`` (same number of dimensions; the result has its shape).

    ``x`` (3, 4), ``index = [[0], [3], [1]]``: ``gather(x, 1, index)`` is ``[[x00], [x13], [x21]]``,
    the classic way to read the score of each row's label.
    """
    x = input._data
    idx = _index_on(x, _int_index(index, "gather", "int32/int64"))
    d = _dim(dim, x.ndim)
    _check_sizes("gather", x, idx, d)
    if x.ndim == 0:
        _check_bounds(idx, 1, d)
        res = _wrap(np.broadcast_to(x, idx.shape).copy())
        key = (_array.namespace(x).zeros(idx.shape, np.int64),)
        return attach(res, GatherBackward0, input, index=index, key=key)
    _check_bounds(idx, x.shape[d], d)
    key = _grid_key(idx, d, x.ndim)
    return attach(_wrap(x[key]), GatherBackward0, input, index=index, key=key)


class GatherBackward0(Node):
    """The gradient added back at the gathered positions (repeats add up). Saves ``index`` and
    ``key``, the NumPy key built from it, and (as torch) the input itself: changing it in place
    before backward is then the version-counter error."""

    saves_input = True

    def __init__(self, x, *, index, key):
        super().__init__(x)
        self.shape = x._data.shape
        if self.saves_input:
            self.save(index, key, x)
        else:
            self.save(index, key)

    def backward(self, grad):
        key = self.saved_tensors[1]
        if not self.shape:  # a 0-d input: every picked element was the one value
            return grad.sum()
        return accumulate_into_zeros(grad, self.shape, [key])


def _scatter_parts(op, input, dim, index, src):
    x = input._data
    idx = _index_on(x, _int_index(index, op, "int64"))
    d = _dim(dim, x.ndim)
    src_arr = src._data if isinstance(src, Tensor) else None
    if src_arr is not None:
        _same_device(x, src_arr)
    if src_arr is not None and src_arr.dtype != x.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    _check_sizes(op, x, idx, d, src_arr)
    _check_bounds(idx, x.shape[d] if x.ndim else 1, d)
    key = _grid_key(idx, d, x.ndim)
    if src_arr is None:  # a number, checked as torch checks it (1e20 into int64 is refused)
        return x, key, scalar_for(src, x.dtype), ()
    if not idx.ndim:  # one element: src's first (a 0-d index takes one of a 1-D src too)
        part = (0,) * src_arr.ndim
    else:
        part = tuple(slice(0, n) for n in idx.shape) if src_arr.ndim else ()
    vals = src_arr[part]
    if not x.ndim and np.ndim(vals):  # several writes into a 0-d input's one element
        vals = vals.sum() if op == "scatter_add" else vals.reshape(-1)[-1]
    return x, key, vals, part


def scatter(input, dim: int, index, src=None, *, value=None, reduce=None):
    """A copy of ``input`` with ``src`` (a tensor or a number) written at the positions ``index``
    picks along ``dim``: the reverse of ``gather``. ``reduce='add'``/``'multiply'`` combines
    instead of overwriting."""
    src = value if src is None else src
    x, key, vals, part = _scatter_parts("scatter", input, dim, index, src)
    out = x.copy()
    if reduce is None:
        out[key] = vals
    elif reduce in ("add", "multiply"):
        xp = _array.namespace(out)
        pos = xp.arange(out.size).reshape(out.shape)[key]
        vals = xp.broadcast_to(xp.asarray(vals, out.dtype), pos.shape).reshape(-1, 1)
        add_rows(out.reshape(-1, 1), pos.ravel(), vals, np.add if reduce == "add" else np.multiply)
    else:
        raise RuntimeError("reduce argument must be either add or multiply.")
    res = _wrap(out)
    if not isinstance(src, Tensor):
        if reduce is not None:
            return attach(res, NotImplemented, input, message=_NO_REDUCE_GRAD)
        return attach(res, ScatterBackward1, input, index=index, key=key)
    if reduce is not None:
        return attach(res, NotImplemented, input, src, message=_NO_REDUCE_GRAD)
    return attach(res, ScatterBackward0, input, src, index=index, key=key, part=part)


class ScatterBackward1(Node):
    """``scatter`` of a number: the overwritten positions pass no gradient to ``input``."""

    def __init__(self, x, *src, index, key):
        super().__init__(x, *src)
        self.save(index, key)

    def backward(self, grad):
        _, key = self.saved_tensors
        g = grad.clone()
        g[key] = 0
        return g


class ScatterBackward0(ScatterBackward1):
    """``scatter`` of a tensor: ``src`` gets the gradient at the positions it was written to."""

    def __init__(self, x, src, *, index, key, part):
        super().__init__(x, src, index=index, key=key)
        self.src_shape, self.part = src._data.shape, part

    def backward(self, grad):
        ga, gb = self.needs_input_grad
        index, key = self.saved_tensors
        return (super().backward(grad) if ga else None,
                _src_grad(self, grad, index, key) if gb else None)


def _src_grad(node, grad, index, key):
    """The gradient of a scatter's ``src``: the gradient at the positions it was written to. As
    torch (which computes it as ``grad.gather(dim, index)``), a 0-d index gives a 0-d gradient,
    which torch refuses for a ``src`` with dimensions."""
    if not index._data.ndim and node.src_shape:
        raise RuntimeError(
            f"Function {type(node).__name__} returned an invalid gradient at index 1 - got [] but "
            f"expected shape compatible with {list(node.src_shape)}")
    return put_into_zeros(grad[key], node.src_shape, node.part)


def scatter_add(input, dim: int, index, src):
    """A copy of ``input`` with ``src`` *added* at the positions ``index`` picks along ``dim``
    (repeated positions add up)."""
    x, key, vals, part = _scatter_parts("scatter_add", input, dim, index, src)
    out = add_at_positions(x.copy(), [key], vals)
    return attach(_wrap(out), ScatterAddBackward0, input, src, index=index, key=key, part=part)


class ScatterAddBackward0(Node):
    """``input`` gets the gradient unchanged; ``src`` the gradient at the positions it was added
    to."""

    def __init__(self, x, src, *, index, key, part):
        super().__init__(x, src)
        self.src_shape, self.part = src._data.shape, part
        if self.needs_input_grad[1]:  # only src's gradient reads the index (as torch saves it)
            self.save(index, key)

    def backward(self, grad):
        ga, gb = self.needs_input_grad
        if not gb:
            return grad, None
        index, key = self.saved_tensors
        return (grad if ga else None, _src_grad(self, grad, index, key))


# the node of the out-of-place op already links to self's history before the write
scatter_ = inplace_from(scatter)
scatter_add_ = inplace_from(scatter_add)


# ---- index_select / index_add_ / index_copy_ / take -----------------------------------------
def _vector_index(index, op, x) -> np.ndarray:
    idx = _index_on(x, _int_index(index, op, "int32 or int64"))
    if idx.ndim > 1:
        raise IndexError(f"{op}(): Index is supposed to be a vector")
    return idx.reshape(-1)


def index_select(input, dim: int, index, *, out=None):
    """The slices at positions ``index`` (a 1-D integer tensor) along ``dim``: ``x[:, index]``."""
    x = input._data
    idx = _vector_index(index, "index_select", x)
    d = _dim(dim, x.ndim)
    n = x.shape[d] if x.ndim else 1
    if idx.size and n == 0 and x.ndim > 1:  # (a 1-D input gets the out-of-range error below)
        raise RuntimeError("index_select(): self indexing axis dim should be positive")
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        if d == 0:  # torch's two kernels word it differently: rows, or slices along dim > 0
            raise IndexError("index out of range in self")
        bad = idx.ravel()[(idx.ravel() < 0) | (idx.ravel() >= n)][0]
        raise RuntimeError(f"INDICES element is out of DATA bounds, id={bad} axis_dim={n}")
    key = (_FULL,) * d + (idx,) if x.ndim else ()
    res = _wrap(np.take(x, idx, axis=d) if x.ndim else x.copy())
    return attach(res, IndexSelectBackward0, input, index=index, key=key)


class IndexSelectBackward0(GatherBackward0):
    """The gradient added back into the selected slices (the input is not saved: torch keeps
    only its shape)."""

    saves_input = False


def index_add_(self, dim: int, index, source, *, alpha=1):
    """``self[..., index[i], ...] += alpha * source[..., i, ...]`` along ``dim``, in place."""
    check_internal_overlap(self._data)
    d, idx, key = _along(self, dim, index, source, "index_add_")
    if source._data.dtype != self._data.dtype:
        raise RuntimeError(
            f"index_add_(): self ({_dtype.scalar_name(self)}) and source "
            f"({_dtype.scalar_name(source)}) must have the same scalar type"
        )
    vals = (source._data if alpha == 1 else source._data * alpha).astype(self._data.dtype)

    def write():
        add_at_positions(self._data, [key], vals)

    if not in_graph(self, source):
        return unrecorded(self, write)
    return inplace_update(self, write, lambda old: IndexAddBackward0(
        old, source, dim=d, index=index, alpha=alpha))


def _along(self, dim, index, source, op):
    """Checks shared by index_add_ / index_copy_: ``(dim, index array, key)``."""
    x = self._data
    d = _dim(dim, x.ndim)
    idx = _vector_index(index, op.rstrip("_"), x)
    _same_device(x, source._data)
    n_src = source._data.shape[d] if source._data.ndim else 1
    if idx.size != n_src:
        raise RuntimeError(
            f"{op}(): Number of indices ({idx.size}) should be equal to source.size(dim): "
            f"({n_src}), for dim: {d}"
        )
    n = x.shape[d] if x.ndim else 1
    if idx.size and (idx.max() >= n or idx.min() < -n):
        bad = idx.max() if idx.max() >= n else idx.min()
        msg = f"index {bad} is out of bounds for dimension {d} with size {n}"
        raise (IndexError(f"{op}(): {msg}") if op == "index_copy_" else RuntimeError(msg))
    return d, idx, (_FULL,) * d + (idx,)


class IndexAddBackward0(Node):
    """``self`` gets the gradient unchanged; ``source`` the rows of it at ``index`` (times
    ``alpha``)."""

    def __init__(self, old, source, *, dim, index, alpha):
        super().__init__(old, source)
        self.dim, self.alpha = dim, alpha
        self.src_shape = source._data.shape
        if self.needs_input_grad[1]:  # only source's gradient reads the index (as torch saves it)
            self.save(index)

    def backward(self, grad):
        ga, gb = self.needs_input_grad
        gs = None
        if gb:
            (index,) = self.saved_tensors
            gs = grad.index_select(self.dim, index).reshape(self.src_shape)
            gs = gs * self.alpha if self.alpha != 1 else gs
        return grad if ga else None, gs


def index_add(input, dim: int, index, source, *, alpha=1):
    """Out-of-place ``index_add_`` (on a copy of ``input``)."""
    return index_add_(input.clone(), dim, index, source, alpha=alpha)


def index_copy_(self, dim: int, index, source):
    """``self[..., index[i], ...] = source[..., i, ...]`` along ``dim``, in place."""
    check_internal_overlap(self._data)
    d, _, key = _along(self, dim, index, source, "index_copy_")
    if source._data.dtype != self._data.dtype:
        raise RuntimeError(
            "index_copy_(): self and source expected to have the same dtype, but got (self) "
            f"{_dtype.scalar_name(self)} and (source) {_dtype.scalar_name(source)}"
        )

    def write():
        self._data[key] = source._data

    if not in_graph(self, source):
        return unrecorded(self, write)
    return inplace_update(self, write, lambda old: IndexCopyBackward0(
        old, source, index=index, key=key))


class IndexCopyBackward0(Node):
    """The overwritten slices pass no gradient to ``self``; ``source`` gets the gradient there."""

    def __init__(self, old, source, *, index, key):
        super().__init__(old, source)
        self.src_shape = source._data.shape
        self.save(index, key)

    def backward(self, grad):
        ga, gb = self.needs_input_grad
        _, key = self.saved_tensors
        g_old = None
        if ga:
            g_old = grad.clone()
            g_old[key] = 0
        return g_old, grad[key].reshape(self.src_shape) if gb else None


def index_copy(input, dim: int, index, source):
    """Out-of-place ``index_copy_``."""
    return index_copy_(input.clone(), dim, index, source)


def take(input, index):
    """Elements of the flattened ``input`` at ``index`` (negatives count from the end); the
    result has ``index``'s shape."""
    x = input._data
    idx = index._data if isinstance(index, Tensor) else None
    if idx is None or idx.dtype != np.int64:
        got = _dtype.scalar_name(idx) if idx is not None else type(index).__name__
        raise RuntimeError(f"take(): Expected a long tensor for index, but got {got}")
    idx = _index_on(x, idx)
    n = x.size
    if idx.size:
        lo, hi = idx.min(), idx.max()
        if hi >= n or lo < -n:
            raise IndexError(
                f"out of range: tried to access index {hi if hi >= n else lo} on a tensor of {n} "
                "elements."
            )
        if lo < 0:
            idx = np.where(idx < 0, idx + n, idx)
    return attach(_wrap(x.reshape(-1)[idx]), TakeBackward0, input, index=index, flat=idx)


class TakeBackward0(Node):
    """The gradient added back at the taken positions of the flattened input. Saves ``index``
    and ``flat``, its positions with negatives wrapped."""

    def __init__(self, x, *, index, flat):
        super().__init__(x)
        self.shape = x._data.shape
        self.save(index, flat, x)  # (x as torch saves it: a later in-place change is an error)

    def backward(self, grad):
        flat = self.saved_tensors[1]
        size = int(np.prod(self.shape))
        return accumulate_into_zeros(grad, (size,), [(flat,)]).reshape(self.shape)


def index_fill_(self, dim: int, index, value):
    """Set the slices at positions ``index`` along ``dim`` to ``value`` (a number or a 0-d
    tensor), in place: ``x.index_fill_(1, tensor([0, 2]), -1.)`` sets columns 0 and 2 of a matrix.
    Negative positions count from the end."""
    x = self._data
    d = _dim(dim, max(x.ndim, 1))
    if not isinstance(index, Tensor) or index._data.dtype != np.int64:
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    idx = _index_on(x, index._data)
    if idx.ndim > 1:
        raise RuntimeError("Index has to be a vector/scalar")
    idx = idx.reshape(-1)
    n = x.shape[d] if x.ndim else 1
    if idx.size and (idx.max() >= n or idx.min() < -n):
        bad = idx.max() if idx.max() >= n else idx.min()
        raise IndexError(f"index {bad} is out of bounds for dimension {d} with size {n}")
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(
                "index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                f"{value._data.ndim} dimension(s).")
        fill = value._data
        if type(fill) is not type(x):  # a 0-d tensor on another device: its number
            fill = _array.to_host(fill)[()]
    elif isinstance(value, complex) and x.dtype.kind != "c":
        raise RuntimeError(
            "index_fill_(): Converting complex Scalar to non-complex type is not supported")
    else:
        fill = scalar_for(value, x.dtype)  # torch's overflow check: 1e20 into int64
    if x.ndim:
        key = (_FULL,) * d + (idx,)
    else:
        key = () if idx.size else None  # a 0-d tensor: filled when the index names it

    def write():
        if key is not None:
            x[key] = fill

    if not in_graph(self, value):
        return unrecorded(self, write)
    if isinstance(value, Tensor):
        return inplace_update(self, write, lambda old: IndexFillBackward1(
            old, value, index=index, key=key))
    return inplace_update(self, write, lambda old: IndexFillBackward0(old, index=index, key=key))


def _filled(like: np.ndarray, key) -> np.ndarray:
    """A mask shaped like ``like`` (on its device): True at the positions ``key`` picks (``key``
    None: none)."""
    mask = _array.namespace(like).zeros(like.shape, dtype=bool)
    if key is not None:
        mask[key] = True
    return mask


def index_fill(input, dim: int, index, value):
    """Out-of-place ``index_fill_`` (on a copy of ``input``)."""
    return index_fill_(input.clone(), dim, index, value)


class IndexFillBackward0(Node):
    """``index_fill_`` with a number: the filled slices pass no gradient back."""

    def __init__(self, old, *value, index, key):
        super().__init__(old, *value)
        self.save(index, key)

    def backward(self, grad):
        _, key = self.saved_tensors
        filled = _wrap(_filled(grad._data, key))
        g_old = grad.masked_fill(filled, 0) if self.needs_input_grad[0] else None
        if len(self.next_functions) == 1:
            return g_old
        g_value = (grad * filled).sum() if self.needs_input_grad[1] else None
        return g_old, g_value


class IndexFillBackward1(IndexFillBackward0):
    """``index_fill_`` with a 0-d tensor: the value gets the sum of the filled gradients."""


def put_(self, index, source, accumulate: bool = False):
    """Write ``source``'s elements at the positions ``index`` of the flattened tensor, in place
    (``accumulate=True`` adds them, repeated positions adding up). ``index`` and ``source`` have
    the same number of elements; negative positions count from the end."""
    check_internal_overlap(self._data)
    x = self._data
    if not isinstance(index, Tensor) or index._data.dtype != np.int64:
        got = _dtype.scalar_name(index._data) if isinstance(index, Tensor) else type(index)
        raise RuntimeError(f"put_(): Expected a long tensor for index, but got {got}")
    if source._data.dtype != x.dtype:
        raise RuntimeError(
            "put_(): self and source expected to have the same dtype, but got self.dtype = "
            f"{_dtype.scalar_name(x)} and source.dtype = {_dtype.scalar_name(source)}")
    _same_device(x, source._data)
    idx = _index_on(x, index._data).reshape(-1)
    if idx.size != source._data.size:
        raise IndexError(
            "put_(): Expected source and index to have the same number of elements, but got "
            f"source.numel() = {source._data.size}, index.numel() = {idx.size}")
    n = x.size
    if idx.size and (idx.max() >= n or idx.min() < -n):
        bad = idx.max() if idx.max() >= n else idx.min()
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
    flat = np.where(idx < 0, idx + n, idx) if idx.size and idx.min() < 0 else idx
    vals = source._data.reshape(-1)

    def write():
        out = x.reshape(-1)  # a view when x is dense; otherwise written back below
        if accumulate:
            add_rows(out.reshape(-1, 1), flat, vals.reshape(-1, 1))
        else:
            out[flat] = vals
        if not np.shares_memory(out, x):
            x[...] = out.reshape(x.shape)

    if not in_graph(self, source):
        return unrecorded(self, write)
    return inplace_update(self, write, lambda old: PutBackward0(
        old, source, index=index, flat=flat, accumulate=accumulate))


def put(input, index, source, accumulate: bool = False):
    """Out-of-place ``put_`` (on a copy of ``input``)."""
    return put_(input.clone(), index, source, accumulate)


class PutBackward0(Node):
    """``put_``: overwritten positions pass no gradient to ``self`` (all do with
    ``accumulate``); ``source`` gets the gradient read at its positions."""

    def __init__(self, old, source, *, index, flat, accumulate):
        super().__init__(old, source)
        self.src_shape, self.accumulate = source._data.shape, accumulate
        self.save(index, flat)

    def backward(self, grad):
        _, flat = self.saved_tensors
        g_old = g_src = None
        if self.needs_input_grad[0]:
            g_old = grad
            if not self.accumulate:
                g_old = grad.reshape(-1).clone()
                g_old[flat] = 0
                g_old = g_old.reshape(grad.shape)
        if self.needs_input_grad[1]:
            g_src = grad.reshape(-1)[_wrap(flat)].reshape(self.src_shape)
        return g_old, g_src


Tensor.gather, Tensor.scatter, Tensor.scatter_add = gather, scatter, scatter_add
Tensor.scatter_, Tensor.scatter_add_ = scatter_, scatter_add_
Tensor.index_select, Tensor.index_add_, Tensor.index_add = index_select, index_add_, index_add
Tensor.index_copy_, Tensor.index_copy, Tensor.take = index_copy_, index_copy, take
Tensor.index_fill_, Tensor.index_fill, Tensor.put_, Tensor.put = index_fill_, index_fill, put_, put

__all__ = ["gather", "scatter", "scatter_add", "index_select", "index_add", "index_copy", "take",
           "index_fill", "put"]
