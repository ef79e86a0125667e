"""Statistics over dimensions: var/std (and std_mean/var_mean), the NaN-ignoring nansum and
nanmean, and counting: ``bincount`` (how often each integer occurs) and ``histc`` (a histogram
with equal-width bins).

``var`` divides the summed squared deviations by ``N - correction``: ``correction=1`` (the
default) is the unbiased sample variance, ``correction=0`` (or ``unbiased=False``) the population
variance. ``x`` of shape ``(2, 3)``: ``x.var()`` is 0-d, ``x.std(1)`` is ``(2,)``.
"""

from __future__ import annotations

import warnings

import numpy as np

from ... import _array, _dtype
from ..._tensor import Tensor, _wrap
from ...autograd.graph import Node, NotImplemented, attach
from .._broadcast import broadcast_shape, unbroadcast
from .._inplace import write_out as _write_out
from .._promote import operands
from ._dims import (
    ReductionNode,
    accumulate_dtype,
    cast,
    count,
    dim_kw,
    dims_arg,
    expand_back,
    keep_shape,
)
from .norms import norm_grad, vector_norm
from .sums import _mean_np


# ---- var / std ------------------------------------------------------------------------------
def _var_args(name, input, dim, unbiased, keepdim, correction, kwargs):
    """Sort out torch's overloads: ``var(dim, unbiased, keepdim)``, ``var(unbiased)`` and
    ``var(dim, *, correction, keepdim)``. Returns ``(dims, correction, keepdim)``."""
    if kwargs:
        dim, keepdim = dim_kw(dim, dict(kwargs, keepdim=keepdim))
    if isinstance(dim, bool):  # var(True): the bool is `unbiased`
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise RuntimeError(f"{name}: Cannot pass both correction and unbiased arguments")
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    _float_only(input, "std and var")
    return dims_arg(dim, input._data.ndim), correction, keepdim


def var(
    input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None, **kwargs
) -> Tensor:
    """Variance over ``dim``: ``sum((x - mean)**2) / (N - correction)``. ``correction=1`` (the
    default, Bessel's) is the unbiased sample variance; ``unbiased=False`` means correction 0."""
    dims, c, keepdim = _var_args("var", input, dim, unbiased, keepdim, correction, kwargs)
    res = _wrap(_var_np(input._data, dims, c, keepdim, "var"))
    return attach(res, VarBackward0, input, dims=dims, keepdim=keepdim, correction=c)


def std(
    input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None, **kwargs
) -> Tensor:
    """Standard deviation over ``dim``: the square root of ``var`` (same arguments)."""
    dims, c, keepdim = _var_args("std", input, dim, unbiased, keepdim, correction, kwargs)
    res = _wrap(np.sqrt(_var_np(input._data, dims, c, keepdim, "std")))
    return attach(res, StdBackward0, input, dims=dims, keepdim=keepdim, correction=c)


def _var_np(x, dims, correction, keepdim, name):
    n = count(x.shape, dims)
    dof = n - correction
    if dof <= 0:
        warnings.warn(
            f"{name}(): degrees of freedom is <= 0. Correction should be strictly less than the "
            "reduction factor (input numel divided by output numel).",
            UserWarning,
            stacklevel=3,
        )
    real = x.real.dtype  # the variance of complex values is real: mean of |x - mean|^2
    if n == 0:
        return _array.namespace(x).full(keep_shape(x.shape, dims) if keepdim else
                                        np.add.reduce(x, axis=dims).shape, np.nan, dtype=real)
    centred = x - _mean_np(x, dims, True)
    squares = centred * centred if x.dtype.kind == "f" else (centred * centred.conj()).real
    sq = np.add.reduce(squares, axis=dims, keepdims=keepdim)
    if dof <= 0:
        with np.errstate(invalid="ignore", divide="ignore"):
            return cast(sq / 0.0, real)
    return cast(sq / dof, real)


class VarBackward0(ReductionNode):
    """d var / dx_i = 2 (x_i - mean) / (N - correction)."""

    keeps_input = True

    def __init__(self, x, *, dims, keepdim, correction):
        super().__init__(x, dims=dims, keepdim=keepdim)
        self.correction = correction

    def backward(self, grad):
        (x,) = self.saved_tensors
        return _var_grad(x, grad, self.dims, self.keepdim, self.correction)


def _var_grad(x, grad, dims, keepdim, correction):
    """``grad * 2 (x - mean) / (N - correction)``, spread back to ``x``'s shape.

    With no degrees of freedom left (``N <= correction``) the factor is infinite: over chosen
    dims torch takes ``2 / 0 = inf`` (so ``inf * 0 = nan`` where ``x`` equals the mean, and a
    negative factor for ``N < correction``); over the whole tensor it gives NaN where ``x`` equals
    the mean and inf elsewhere, as torch does."""
    shape = x._data.shape
    dof = count(shape, dims) - correction
    centred = x - x.mean(dims, keepdim=True)
    g = expand_back(grad, shape, dims, keepdim)
    if dof > 0 or (dims is not None and dims and dof < 0):
        return g * centred * (2.0 / dof)
    if dims is not None and dims:
        return g * centred * np.inf
    at_mean = centred._data == 0
    return g * _wrap(np.where(at_mean, np.nan, np.inf).astype(x._data.dtype))


class StdBackward0(VarBackward0):
    """d std / dx_i = d var / dx_i / (2 std), and 0 where the std is 0 (all elements equal):
    torch's choice there, where the true derivative does not exist."""

    keeps_output = True

    def backward(self, grad):
        (x,) = self.saved_tensors
        out = self.saved_output
        g = (grad / (out * 2)).masked_fill(_wrap(out._data == 0), 0)
        return _var_grad(x, g, self.dims, self.keepdim, self.correction)


def std_mean(
    input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None, **kwargs
) -> Tensor | tuple:
    """``(std, mean)`` over ``dim`` in one call (same arguments as ``std``).

    Each result records its own backward node (``StdBackward0``, ``MeanBackward*``): torch records
    one ``StdMeanBackward0`` shared by both, which this engine (one output per node) cannot."""
    if kwargs:
        dim, keepdim = dim_kw(dim, dict(kwargs, keepdim=keepdim))
    _float_only(input, "std_mean")
    s = std(input, dim, unbiased, keepdim, correction=correction)
    return s, input.mean(_plain_dim(dim), keepdim)


def var_mean(
    input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None, **kwargs
) -> Tensor | tuple:
    """``(var, mean)`` over ``dim`` in one call (same arguments as ``var``; see ``std_mean``)."""
    if kwargs:
        dim, keepdim = dim_kw(dim, dict(kwargs, keepdim=keepdim))
    _float_only(input, "var_mean")
    v = var(input, dim, unbiased, keepdim, correction=correction)
    return v, input.mean(_plain_dim(dim), keepdim)


def _float_only(input, what: str) -> None:
    if input._data.dtype.kind not in "fc":
        raise RuntimeError(f"{what} only support floating point and complex dtypes")


def _plain_dim(dim):
    return None if isinstance(dim, bool) else dim


# ---- nansum / nanmean ------------------------------------------------------------------------
def nansum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None, **kwargs) -> Tensor:
    """Sum treating NaN as zero. Integers (which have no NaN) sum to int64 like ``sum``."""
    if kwargs:
        dim, keepdim = dim_kw(dim, dict(kwargs, keepdim=keepdim))
    x = input._data
    dims = dims_arg(dim, x.ndim)
    res = _wrap(np.nansum(x, axis=dims, dtype=accumulate_dtype(x, dtype), keepdims=keepdim))
    return attach(res, NansumBackward0, input, dims=dims, keepdim=keepdim)


class NansumBackward0(ReductionNode):
    """Like sum's, except the NaN elements (which did not count) get zero."""

    keeps_input = True

    def backward(self, grad):
        (x,) = self.saved_tensors
        g = expand_back(grad, self.shape, self.dims, self.keepdim)
        return g * _wrap((~np.isnan(x._data)).astype(g._data.dtype))


def nanmean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None, **kwargs) -> Tensor:
    """Mean of the non-NaN elements: ``nansum / (number of non-NaN elements)``."""
    if kwargs:
        dim, keepdim = dim_kw(dim, dict(kwargs, keepdim=keepdim))
    if input._data.dtype.kind not in "fc":
        raise RuntimeError(
            "nanmean(): expected input to have floating point or complex dtype but got "
            f"{_dtype.scalar_name(input._data.dtype)}"
        )
    x = input._data
    dims = dims_arg(dim, x.ndim)
    counts = np.sum(~np.isnan(x), axis=dims, keepdims=keepdim).astype(x.dtype)
    with np.errstate(invalid="ignore", divide="ignore"):
        return nansum(input, dim, keepdim, dtype=dtype) / _wrap(counts)


# ---- dist -------------------------------------------------------------------------------------
def dist(input: Tensor, other: Tensor, p=2) -> Tensor:
    """The ``p``-norm of ``input - other`` (broadcast), as a 0-d tensor: the distance between
    them. ``dist(x, y)`` is ``linalg.vector_norm(x - y)``."""
    if not isinstance(other, Tensor):
        raise TypeError(
            f"dist(): argument 'other' (position 2) must be Tensor, not {type(other).__name__}"
        )
    x, y = operands(input, other)
    if x.dtype.kind not in "fc":
        raise RuntimeError(
            "norm(): input dtype should be either floating point or complex. Got "
            f"{_dtype.scalar_name(x.dtype)} instead."
        )
    try:
        diff = np.subtract(x, y)
    except ValueError:
        broadcast_shape(x.shape, y.shape)  # raises torch's message naming the dimension
        raise
    res = vector_norm(_wrap(diff), p)
    return attach(res, DistBackward0, input, other, p=float(p))


class DistBackward0(Node):
    """The gradient of ``||a - b||_p``: the norm's gradient at ``a - b`` for ``a``, its negative
    for ``b`` (each summed back to its own shape)."""

    keeps_output = True

    def __init__(self, a, b, *, p):
        super().__init__(a, b)
        self.save(a, b)
        self.p = p

    def backward(self, grad):
        if self.p == 0:  # piecewise constant: undefined, as torch
            return None, None
        a, b = self.saved_tensors
        diff = a - b
        shape = diff._data.shape
        g = norm_grad(diff, grad.expand(shape), self.saved_output.expand(shape), self.p, None)
        ga, gb = self.needs_input_grad
        return (
            unbroadcast(g, a._data.shape) if ga else None,
            unbroadcast(-g, b._data.shape) if gb else None,
        )


# ---- bincount / histc ------------------------------------------------------------------------
def bincount(input: Tensor, weights=None, minlength: int = 0) -> Tensor:
    """How often each value ``0, 1, ..., max(input)`` occurs in a 1-D tensor of non-negative
    integers: ``[1, 1, 3]`` → ``[0, 2, 0, 1]`` (int64). At least ``minlength`` bins. With
    ``weights`` (one per element) each occurrence adds its weight instead of 1: float32 weights
    give float32 sums, any other dtype float64. Not differentiable: with ``weights`` that
    require grad the result does too, as in torch, and its backward raises."""
    x = input._data
    if x.dtype == np.bool_ or x.dtype.kind == "f":
        raise NotImplementedError(
            f'"bincount_cpu" not implemented for \'{_dtype.scalar_name(x.dtype)}\'')
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if x.ndim != 1 or (x.size and x.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is None:
        return _wrap(np.bincount(x, minlength=minlength).astype(np.int64))
    w = weights._data
    if w.ndim != 1 or w.shape[0] != x.shape[0]:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    out_dtype = w.dtype if w.dtype in (np.float32, np.float64) else np.float64
    res = _wrap(np.bincount(x, weights=w.astype(np.float64), minlength=minlength)
                .astype(out_dtype))
    return attach(res, NotImplemented, weights,
                  message="derivative for aten::bincount is not implemented")


def histc(input: Tensor, bins: int = 100, min=0, max=0, *, out=None) -> Tensor:
    """A histogram: ``bins`` equal-width bins from ``min`` to ``max`` (both 0, or equal: the
    data's own smallest and largest values, widened by 1 each way if those are equal); values
    outside are left out, a value equal to ``max`` falls in the last bin. Same dtype as the
    (floating) input, whatever its shape. ``[1, 2, 1, 4]`` with ``bins=3`` → ``[2, 1, 1]``."""
    x = input._data
    if x.dtype.kind != "f":
        raise NotImplementedError(
            f'"histogram_cpu" not implemented for \'{_dtype.scalar_name(x.dtype)}\'')
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    lo, hi = float(min), float(max)
    if lo > hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    flat = x.reshape(-1)
    if lo == hi and flat.size:
        lo, hi = float(flat.min()), float(flat.max())  # NaN propagates into the check below
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{_c_float(lo)}, {_c_float(hi)}] is not finite")
    low, high = x.dtype.type(lo), x.dtype.type(hi)
    inside = flat[(flat >= low) & (flat <= high)]
    # the bin as torch computes it, in the input's dtype: floor((x - min) * bins / (max - min))
    pos = np.clip(np.floor((inside - low) * bins / (high - low)).astype(np.int64), 0, bins - 1)
    res = _wrap(np.bincount(pos, minlength=bins).astype(x.dtype))
    return _write_out(res, out)


def _c_float(v: float) -> str:
    """A float as torch's message prints it: ``1``, ``inf``, ``-nan``."""
    if np.isnan(v):
        return "-nan"
    return f"{v:g}"


Tensor.var, Tensor.std, Tensor.nansum, Tensor.nanmean = var, std, nansum, nanmean
Tensor.bincount, Tensor.histc = bincount, histc
Tensor.dist = dist

__all__ = [
    "var", "std", "std_mean", "var_mean", "nansum", "nanmean", "dist", "bincount", "histc",
]
