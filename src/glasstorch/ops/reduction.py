"""Reductions: sum and mean over all elements or over ``dim`` (an int, list or tuple).

``dim``/``axis`` and ``keepdim``/``keepdims`` are accepted under both names, as in torch. Backward
spreads the gradient back over the reduced dimensions (``expand`` of a keepdim-shaped gradient).
"""

from __future__ import annotations

import numpy as np

from .. import _dtype
from .._tensor import Tensor, _dim, _wrap
from ..autograd import grad_mode
from ..autograd.graph import Node


def dims_arg(dim, ndim: int):
    """Normalise ``dim`` (None, int, list or tuple; negatives allowed) to a sorted tuple or None."""
    if dim is None:
        return None
    if isinstance(dim, (list, tuple)):
        if len(dim) == 0:
            return None
        out = tuple(sorted(_dim(int(d), ndim) for d in dim))
        if len(set(out)) != len(out):
            raise RuntimeError(f"dim {out[0]} appears multiple times in the list of dims")
        return out
    return (_dim(int(dim), ndim),)


def _dim_kw(dim, kwargs):
    if "axis" in kwargs:
        dim = kwargs.pop("axis")
    keepdim = kwargs.pop("keepdims", kwargs.pop("keepdim", False))
    return dim, keepdim


def _expand_back(grad, shape, dims, keepdim):
    """Reshape a reduced gradient to keepdim form and broadcast it to the input's ``shape``."""
    if dims is not None and not keepdim:
        kshape = list(shape)
        for d in dims:
            kshape[d] = 1
        grad = grad.reshape(tuple(kshape))
    elif dims is None and grad._data.ndim != len(shape):
        grad = grad.reshape((1,) * len(shape))
    return grad.expand(shape)


def sum(input, dim=None, keepdim=False, *, dtype=None, **kwargs):
    """Sum of all elements, or over ``dim``. Integer and bool inputs sum to int64."""
    if kwargs:
        dim, keepdim = _dim_kw(dim, dict(kwargs, keepdim=keepdim))
    x = input._data
    dims = dims_arg(dim, x.ndim)
    npd = _dtype.to_dtype(dtype).np if dtype is not None else (
        np.int64 if x.dtype.kind in "biu" else None
    )
    res = _wrap(np.asarray(np.sum(x, axis=dims, dtype=npd, keepdims=keepdim)))
    if input._rg and grad_mode.state.enabled:
        res._rg = True
        res._grad_fn = (SumBackward0 if dims is None else SumBackward1)(input, dims, keepdim)
    return res


class SumBackward0(Node):
    def __init__(self, x, dims, keepdim):
        super().__init__(x)
        self.shape, self.dims, self.keepdim = x._data.shape, dims, keepdim

    def backward(self, grad):
        return _expand_back(grad, self.shape, self.dims, self.keepdim)


class SumBackward1(SumBackward0):
    """Sum over given dimensions (torch's name for ``sum(dim=...)``)."""


def mean(input, dim=None, keepdim=False, *, dtype=None, **kwargs):
    """Arithmetic mean of all elements, or over ``dim``. Needs a floating dtype, as in torch."""
    if kwargs:
        dim, keepdim = _dim_kw(dim, dict(kwargs, keepdim=keepdim))
    x = input._data
    if dtype is not None:
        x = x.astype(_dtype.to_dtype(dtype).np)
    elif x.dtype.kind not in "fc":
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point or "
            f"complex dtype. Got: {input.dtype.name.capitalize()}"
        )
    dims = dims_arg(dim, x.ndim)
    with np.errstate(invalid="ignore", divide="ignore"):
        res = _wrap(np.asarray(np.mean(x, axis=dims, keepdims=keepdim), dtype=x.dtype))
    if input._rg and grad_mode.state.enabled:
        res._rg = True
        res._grad_fn = (MeanBackward0 if dims is None else MeanBackward1)(input, dims, keepdim)
    return res


class MeanBackward0(SumBackward0):
    def backward(self, grad):
        n = self._count()
        return _expand_back(grad / n if n else grad * np.nan, self.shape, self.dims, self.keepdim)

    def _count(self) -> int:
        if self.dims is None:
            return int(np.prod(self.shape))
        return int(np.prod([self.shape[d] for d in self.dims]))


class MeanBackward1(MeanBackward0):
    """Mean over given dimensions."""


Tensor.sum, Tensor.mean = sum, mean

__all__ = ["sum", "mean"]
