"""What every reduction does with its ``dim`` argument, and how its backward undoes the fold.

A reduction folds the dimensions named by ``dim`` (an int, a list or tuple of ints, or None for
all of them) into one value each: a ``(2, 3, 4)`` tensor summed over ``dim=(0, 2)`` gives shape
``(3,)``, or ``(1, 3, 1)`` with ``keepdim=True``. ``dim``/``axis`` and ``keepdim``/``keepdims``
are accepted under both names, as in torch.

Backward spreads the output gradient back over the folded dimensions: the gradient is reshaped to
its keepdim form and broadcast to the input's shape (``expand_back``), then multiplied by
whatever the reduction's derivative is for each element.
"""

from __future__ import annotations

import math

import numpy as np

from ... import _array, _dtype
from ..._tensor import _dim, _wrap
from ...autograd import grad_mode
from ...autograd.graph import Node


def dims_arg(dim, ndim: int):
    """Normalise ``dim`` (None, int, list or tuple; negatives allowed) to a sorted tuple, or None
    for "every dimension". A 0-d tensor accepts dim 0 or -1 and reduces nothing: ``()``."""
    if dim is None:
        return None
    if isinstance(dim, (list, tuple)):
        if len(dim) == 0:
            return None
        seen: set = set()
        for d in dim:
            d = _dim(int(d), ndim)
            if d in seen:
                raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
            seen.add(d)
        return tuple(sorted(seen)) if ndim else ()
    d = _dim(int(dim), ndim)
    return (d,) if ndim else ()


def dim_kw(dim, kwargs):
    """Accept NumPy's spellings ``axis=`` and ``keepdims=`` as torch does."""
    if "axis" in kwargs:
        dim = kwargs.pop("axis")
    keepdim = kwargs.pop("keepdims", kwargs.pop("keepdim", False))
    if kwargs:
        raise TypeError(f"got an unexpected keyword argument '{next(iter(kwargs))}'")
    return dim, keepdim


def keep_shape(shape: tuple, dims) -> tuple:
    """The keepdim shape of reducing ``shape`` over ``dims`` (None: all dimensions)."""
    if dims is None:
        return (1,) * len(shape)
    return tuple(1 if i in dims else n for i, n in enumerate(shape))


def count(shape, dims) -> int:
    """How many elements each output of a reduction over ``dims`` folded."""
    if dims is None:
        return math.prod(shape)
    return math.prod([shape[d] for d in dims])


def accumulate_dtype(x: np.ndarray, dtype):
    """The NumPy accumulation dtype: ``dtype=`` if given, int64 for bool/integers (torch's rule),
    else None (the input's own)."""
    if dtype is not None:
        return _dtype.to_dtype(dtype).np
    return np.int64 if x.dtype.kind in "biu" else None


def expand_back(grad, shape, dims, keepdim):
    """Reshape a reduced gradient to keepdim form and broadcast it to the input's ``shape``:
    ``(3,)`` from a ``(2, 3, 4)`` input reduced over ``(0, 2)`` becomes ``(1, 3, 1)``, then
    ``(2, 3, 4)``."""
    if not grad_mode.state.enabled:
        # fast path: a plain backward (sum/mean on every training step) broadcasts the array
        # itself, without the view bookkeeping of reshape/expand
        g = grad._data
        if g.size == 1 and type(g) is np.ndarray:  # a full reduction: np.full is several
            # times cheaper than broadcast_to (a GPU array takes broadcast_to, below)
            return _wrap(np.full(shape, g.reshape(()), dtype=g.dtype))
        if not keepdim and g.ndim != len(shape):
            g = g.reshape(keep_shape(shape, dims))
        return _wrap(np.broadcast_to(g, shape))
    if not keepdim and grad._data.ndim != len(shape):
        grad = grad.reshape(keep_shape(shape, dims))
    return grad.expand(shape)


class ReductionNode(Node):
    """Remembers the input's shape and the reduced dims, which every reduction backward needs;
    a subclass with ``keeps_input = True`` also saves the input itself (``saved_tensors``)."""

    keeps_input = False

    def __init__(self, x, *, dims, keepdim):
        super().__init__(x)
        self.shape, self.dims, self.keepdim = x._data.shape, dims, keepdim
        if self.keeps_input:
            self.save(x)


def scan(ufunc, x, axis: int):
    """The running ``ufunc`` along ``axis`` (``ufunc.accumulate``: ``out[i] = f(out[i-1], x[i])``)
    for an associative ``ufunc`` (maximum, minimum, logaddexp).

    NumPy accumulates in one pass. CuPy has ``accumulate`` only for add and multiply, so on a GPU
    the scan doubles its reach each step (Hillis-Steele): after step k, ``out[i]`` combines
    ``x[i - 2**k + 1 .. i]``; ``log2(n)`` whole-array steps instead of ``n`` small ones. Exact for
    maximum/minimum; logaddexp rounds in another order, within a few ulps."""
    if _array.on_host(x):
        return ufunc.accumulate(x, axis=axis)
    out = x.copy()
    n, k = x.shape[axis], 1
    head = [slice(None)] * x.ndim
    tail = list(head)
    while k < n:
        head[axis], tail[axis] = slice(k, None), slice(None, n - k)
        out[tuple(head)] = ufunc(out[tuple(head)], out[tuple(tail)])  # reads before it writes
        k *= 2
    return out


def cast(r, dtype):
    """A reduction's result ``r`` as an array of ``dtype``: NumPy returns a scalar for a whole
    array (``np.asarray`` converts it faster than the scalar's ``astype``), CuPy a 0-d array."""
    if _array.on_host(r):
        return np.asarray(r, dtype=dtype)
    return r.astype(dtype, copy=False)
