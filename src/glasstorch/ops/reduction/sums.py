"""Reductions that add or multiply: sum, mean, prod, all/any, count_nonzero, the running
cumsum/cumprod/logcumsumexp, and logsumexp.

``x`` of shape ``(2, 3)``: ``x.sum()`` is 0-d, ``x.sum(0)`` is ``(3,)``, ``x.sum(1, True)`` is
``(2, 1)`` (how ``dim`` and ``keepdim`` are read: ``_dims``). A running reduction keeps the shape:
``x.cumsum(1)`` is ``(2, 3)``.
"""

from __future__ import annotations

import numpy as np

from ... import _array, _dtype
from ..._errors import not_implemented_for
from ..._tensor import Tensor, _dim, _wrap
from ...autograd import grad_mode
from ...autograd.graph import Node, attach
from ..join import cat
from ._dims import (
    ReductionNode,
    accumulate_dtype,
    cast,
    count,
    dim_kw,
    dims_arg,
    expand_back,
    keep_shape,
    scan,
)


# ---- sum / mean -----------------------------------------------------------------------------
def sum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None, **kwargs) -> Tensor:
    """Sum of all elements, or over ``dim``. Integer and bool inputs sum to int64.

    ``x`` of shape ``(2, 3)``: ``x.sum()`` is 0-d, ``x.sum(0)`` is ``(3,)``, ``x.sum(1, True)``
    is ``(2, 1)``.
    """
    if kwargs:
        dim, keepdim = dim_kw(dim, dict(kwargs, keepdim=keepdim))
    x = input._data
    dims = None if dim is None else dims_arg(dim, x.ndim)
    npd = accumulate_dtype(x, dtype) if dtype is not None or x.dtype.kind in "biu" else None
    res = _wrap(np.add.reduce(x, axis=dims, dtype=npd, keepdims=keepdim))
    node = SumBackward0 if dim is None else SumBackward1
    return attach(res, node, input, dims=dims, keepdim=keepdim)


class SumBackward0(ReductionNode):
    """Each input element contributed once: its gradient is the output's, broadcast back."""

    def backward(self, grad):
        return expand_back(grad, self.shape, self.dims, self.keepdim)


class SumBackward1(SumBackward0):
    """Sum over given dimensions (torch's name for ``sum(dim=...)``)."""


def mean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None, **kwargs) -> Tensor:
    """Arithmetic mean of all elements, or over ``dim``. Needs a floating dtype, as in torch."""
    if kwargs:
        dim, keepdim = dim_kw(dim, dict(kwargs, keepdim=keepdim))
    x = input._data
    if dtype is not None:
        dt = _dtype.to_dtype(dtype)
        if not (dt.is_floating_point or dt.is_complex):
            raise RuntimeError(
                "mean(): could not infer output dtype. Optional dtype must be either a floating "
                f"point or complex dtype. Got: {_dtype.scalar_name(dt)}"
            )
        x = x.astype(dt.np)
    elif x.dtype.kind not in "fc":
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point or "
            f"complex dtype. Got: {_dtype.scalar_name(x.dtype)}"
        )
    dims = None if dim is None else dims_arg(dim, x.ndim)
    res = _wrap(_mean_np(x, dims, keepdim))
    node = MeanBackward0 if dim is None else MeanBackward1
    return attach(res, node, input, dims=dims, keepdim=keepdim)


class MeanBackward0(ReductionNode):
    """Each element contributed 1/n of the mean: the gradient is the output's divided by n."""

    def backward(self, grad):
        n = count(self.shape, self.dims)
        if not grad_mode.state.enabled:
            # fast path: a plain backward (every training step's loss) divides the array itself
            grad = _wrap(grad._data / n if n else grad._data * np.nan)
        elif n:
            grad = grad / n
        else:
            grad = grad * np.nan
        return expand_back(grad, self.shape, self.dims, self.keepdim)


class MeanBackward1(MeanBackward0):
    """Mean over given dimensions."""


def _mean_np(x: np.ndarray, dims, keepdim) -> np.ndarray:
    """Sum, then divide by the count (float16 accumulates in float32, as torch). The mean of no
    elements is NaN."""
    n = count(x.shape, dims)
    acc = np.float32 if x.dtype == np.float16 else None
    total = np.add.reduce(x, axis=dims, dtype=acc, keepdims=keepdim)
    if n == 0:
        return np.full_like(total, np.nan, dtype=x.dtype)
    return cast(total / n, x.dtype)


# ---- prod -----------------------------------------------------------------------------------
def prod(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None, **kwargs) -> Tensor:
    """Product of all elements, or along one dimension ``dim`` (an int: torch takes no tuple).

    Integer and bool inputs multiply in int64. ``(2, 3).prod(1)`` is ``(2,)``.
    """
    if kwargs:
        dim, keepdim = dim_kw(dim, dict(kwargs, keepdim=keepdim))
    if isinstance(dim, (tuple, list)):
        raise TypeError(
            "prod() received an invalid combination of arguments - got (tuple), but expected one "
            "of: (*, torch.dtype dtype = None) or (int dim, bool keepdim = False, *, torch.dtype "
            "dtype = None). prod reduces one dimension at a time: call it once per dimension."
        )
    x = input._data
    dims = dims_arg(dim, x.ndim)
    acc = accumulate_dtype(x, dtype)
    res = _wrap(np.prod(x, axis=dims, dtype=acc, keepdims=keepdim))
    node = ProdBackward0 if dim is None else ProdBackward1
    return attach(res, node, input, dims=dims, keepdim=keepdim)


class ProdBackward0(ReductionNode):
    """d(prod)/dx_i is the product of the other elements: ``out / x_i`` when there is no zero.

    With zeros, split that product into the zero factors and the rest: ``p`` (the product of the
    slice's non-zero elements) over ``x_i``, times the product of the zero elements other than
    ``x_i``. With one zero at z that is ``p`` at z and ``x_z * p / x_i`` elsewhere; with two,
    ``x_other_zero * p`` at each zero and ``x_z1 * x_z2 * p / x_i`` elsewhere. Those are zero in
    value but keep the right derivatives, so the result can be differentiated again (exact to
    second order; with three or more zeros the gradient and its derivative vanish).
    """

    keeps_input = keeps_output = True

    def backward(self, grad):
        (x,) = self.saved_tensors
        if x._data.ndim == 0:
            return grad
        g = expand_back(grad, self.shape, self.dims, self.keepdim)
        is_zero = x._data == 0
        if not is_zero.any():
            out = expand_back(self.saved_output, self.shape, self.dims, self.keepdim)
            return g * out / x
        dt = x._data.dtype
        n_zeros = np.sum(is_zero, axis=self.dims, keepdims=True)
        zero_x = x * _wrap(is_zero.astype(dt))  # the zero entries, still linked to x
        nonzero_x = x * _wrap((~is_zero).astype(dt)) + _wrap(is_zero.astype(dt))
        p = self._prod(nonzero_x)  # product of the non-zero elements of each slice
        zeros_product = self._prod(zero_x + _wrap((~is_zero).astype(dt)))
        other_zero = self._sum(zero_x) - zero_x  # for two zeros: the other one's value
        one = _wrap(np.broadcast_to(n_zeros == 1, x._data.shape).astype(dt))
        two = _wrap(np.broadcast_to(n_zeros == 2, x._data.shape).astype(dt))
        at_most_two = _wrap(np.broadcast_to(n_zeros <= 2, x._data.shape).astype(dt))
        in_z = _wrap(is_zero.astype(dt))
        not_z = _wrap((~is_zero).astype(dt)) * at_most_two
        at_zeros = in_z * (one + two * other_zero)
        return g * p * (not_z * zeros_product / nonzero_x + at_zeros)

    def _prod(self, t):
        return t.prod() if self.dims is None else t.prod(self.dims[0], keepdim=True)

    def _sum(self, t):
        return t.sum() if self.dims is None else t.sum(self.dims[0], keepdim=True)


class ProdBackward1(ProdBackward0):
    """Product along one dimension."""


# ---- all / any / count_nonzero ---------------------------------------------------------------
def _logical_reduce(ufunc, name):
    def reduce(input, dim=None, keepdim=False, **kwargs):
        if kwargs:
            dim, keepdim = dim_kw(dim, dict(kwargs, keepdim=keepdim))
        x = input._data
        if isinstance(dim, (list, tuple)) and len(dim) == 0:  # no dims: nothing is reduced
            out = x != 0
        elif _array.on_host(x):
            out = ufunc.reduce(x != 0, axis=dims_arg(dim, x.ndim), keepdims=keepdim)
        else:  # CuPy has no logical_and/or.reduce: the array's own all/any
            method = (x != 0).all if name == "all" else (x != 0).any
            out = method(axis=dims_arg(dim, x.ndim), keepdims=keepdim)
        return _wrap(cast(out, np.uint8 if x.dtype == np.uint8 else np.bool_))

    reduce.__name__ = name
    reduce.__doc__ = (
        f"True where {'every' if name == 'all' else 'some'} element over ``dim`` (default: all "
        "of them) is non-zero. Returns bool (uint8 for uint8 input, as torch); not differentiable."
    )
    return reduce


all = _logical_reduce(np.logical_and, "all")
any = _logical_reduce(np.logical_or, "any")


def count_nonzero(input: Tensor, dim=None) -> Tensor:
    """How many elements over ``dim`` (int or tuple; default all) are non-zero, as int64."""
    x = input._data
    return _wrap(cast(np.count_nonzero(x, axis=dims_arg(dim, x.ndim)), np.int64))


# ---- cumsum / cumprod -----------------------------------------------------------------------
def _scan_dim(input, dim, name, kwargs):
    if "axis" in kwargs:
        dim = kwargs.pop("axis")
    if kwargs:
        raise TypeError(f"{name}() got an unexpected keyword argument '{next(iter(kwargs))}'")
    if dim is None:
        raise TypeError(f'{name}() missing 1 required positional arguments: "dim"')
    return _dim(int(dim), input._data.ndim)


def cumsum(input: Tensor, dim=None, *, dtype=None, **kwargs) -> Tensor:
    """Running sum along ``dim``: ``out[i] = x[0] + ... + x[i]``. Same shape as ``input``;
    integer and bool inputs accumulate in int64."""
    dim = _scan_dim(input, dim, "cumsum", kwargs)
    x = input._data
    acc = accumulate_dtype(x, dtype)
    res = _wrap(np.cumsum(x, axis=dim if x.ndim else None, dtype=acc).reshape(x.shape))
    return attach(res, CumsumBackward0, input, dim=dim)


def _reverse_cumsum(g, dim):
    """``out[i] = g[i] + g[i+1] + ... + g[n-1]`` along ``dim``: flip, running sum, flip back."""
    if g._data.ndim == 0:
        return g
    return g.flip(dim).cumsum(dim).flip(dim)


class CumsumBackward0(Node):
    """x[i] feeds every out[j] with j >= i: its gradient is the reversed running sum of grad."""

    def __init__(self, x, *, dim):
        super().__init__(x)
        self.dim = dim

    def backward(self, grad):
        return _reverse_cumsum(grad, self.dim)


def cumprod(input: Tensor, dim=None, *, dtype=None, **kwargs) -> Tensor:
    """Running product along ``dim``: ``out[i] = x[0] * ... * x[i]``. Same shape as ``input``."""
    dim = _scan_dim(input, dim, "cumprod", kwargs)
    x = input._data
    acc = accumulate_dtype(x, dtype)
    res = _wrap(np.cumprod(x, axis=dim if x.ndim else None, dtype=acc).reshape(x.shape))
    return attach(res, CumprodBackward0, input, dim=dim)


class CumprodBackward0(Node):
    """d out[j] / d x[i] = out[j] / x[i] for j >= i, so without zeros the gradient is
    ``reverse_cumsum(grad * out) / x``; zeros are handled by ``_cumprod_grad``."""

    keeps_output = True

    def __init__(self, x, *, dim):
        super().__init__(x)
        self.save(x)
        self.dim = dim

    def backward(self, grad):
        (x,) = self.saved_tensors
        if x._data.ndim == 0:
            return grad
        return _cumprod_grad(x, self.saved_output, grad, self.dim)


def _cumprod_grad(x, out, grad, dim):
    """The gradient of ``sum(grad * cumprod(x))`` with respect to ``x``, zeros included.

    Let z be the first zero of a slice and ``x'`` the slice with that zero made 1 (not depending
    on ``x[z]``). Before z, ``reverse_cumsum(grad * out) / x`` holds (``out`` is 0 from z on).
    At z, d out[j] / d x[z] is ``cumprod(x')[j]``. After z every term holds the factor ``x[z]``:
    the gradient is ``x[z] * (the same gradient for x')``, zero in value but not in its own
    derivative, so it is built only when a graph is being recorded (``create_graph``). Masks
    are constants; everything else is tensor ops, so this can be differentiated again.
    """
    is_zero = x._data == 0
    if not is_zero.any():
        return _reverse_cumsum(grad * out, dim) / x
    dt = x._data.dtype
    zeros_so_far = np.cumsum(is_zero, axis=dim)
    first = is_zero & (zeros_so_far == 1)
    first_t = _wrap(first.astype(dt))
    safe_x = x + _wrap(is_zero.astype(dt))
    before = _wrap((zeros_so_far == 0).astype(dt))
    x_prime = x * _wrap((~first).astype(dt)) + first_t
    cp_prime = x_prime.cumprod(dim)
    res = (_reverse_cumsum(grad * out, dim) / safe_x * before
           + _reverse_cumsum(grad * cp_prime, dim) * first_t)
    after = (zeros_so_far >= 1) & ~first
    if grad_mode.state.enabled and after.any():
        x_at_zero = (x * first_t).sum(dim, keepdim=True)
        res = res + _cumprod_grad(x_prime, cp_prime, grad, dim) * x_at_zero * _wrap(
            after.astype(dt))
    return res


def logcumsumexp(input: Tensor, dim: int) -> Tensor:
    """Running ``log(sum(exp(x)))`` along ``dim``: ``out[i] = log(exp(x[0]) + ... + exp(x[i]))``,
    computed stably pairwise (``logaddexp``), so large values do not overflow."""
    x = input._data
    if x.dtype.kind not in "fc":
        raise not_implemented_for("logcumsumexp_out_cpu", x.dtype)
    d = _dim(int(dim), x.ndim)
    with np.errstate(invalid="ignore", over="ignore"):
        out = scan(np.logaddexp, x, d) if x.ndim else x.copy()
    res = _wrap(out)
    return attach(res, LogcumsumexpBackward0, input, dim=d)


class LogcumsumexpBackward0(Node):
    """d out[i] / d x[j] = exp(x[j] - out[i]) for j <= i (each term at most 1), so
    ``dx[j] = sum over i >= j of grad[i] * exp(x[j] - out[i])``.

    The sum is built from tensor ops as an ``n × n`` matrix of those terms along ``dim`` (masked
    to i >= j), so it differentiates cleanly (``create_graph``)."""

    keeps_output = True

    def __init__(self, x, *, dim):
        super().__init__(x)
        self.save(x)
        self.dim = dim

    def backward(self, grad):
        (x,) = self.saved_tensors
        if x._data.ndim == 0:
            return grad
        out, d = self.saved_output, self.dim
        n = x._data.shape[d]
        xt, ot, gt = (t.transpose(d, -1) for t in (x, out, grad))
        lead = xt._data.shape[:-1]
        # terms[..., j, i] = x[j] - out[i], with -inf where i < j (those terms are absent)
        allowed = np.where(np.triu(np.ones((n, n), dtype=bool)), 0.0, -np.inf)
        terms = xt.reshape(lead + (n, 1)) - ot.reshape(lead + (1, n)) + _wrap(
            _array.like(x._data, allowed.astype(x._data.dtype)))
        dx = (terms.exp() * gt.reshape(lead + (1, n))).sum(-1)
        return dx.transpose(d, -1)


# ---- logsumexp ------------------------------------------------------------------------------
def logsumexp(input: Tensor, dim, keepdim: bool = False) -> Tensor:
    """``log(sum(exp(x)))`` over ``dim``, computed stably: the max is taken out first so nothing
    overflows (``logsumexp([1000., 1000.])`` is ``1000.6931``). Integers give the default float."""
    x = input._data
    if x.dtype.kind not in "fc":
        x = x.astype(_dtype.get_default_dtype().np)
    dims = dims_arg(dim, x.ndim)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if x.size:
            m = np.amax(x, axis=dims, keepdims=True)
            m = np.where(np.isfinite(m), m, 0).astype(x.dtype)
        else:
            m = _array.namespace(x).zeros(keep_shape(x.shape, dims), dtype=x.dtype)
        s = np.sum(np.exp(x - m), axis=dims, keepdims=True)
        out = np.log(s) + m
    if not keepdim:
        out = out.reshape(tuple(n for i, n in enumerate(x.shape) if dims is not None
                                and i not in dims))
    res = _wrap(out.astype(x.dtype, copy=False))
    return attach(res, LogsumexpBackward0, input, dims=dims, keepdim=keepdim)


class LogsumexpBackward0(ReductionNode):
    """d logsumexp / dx_i = exp(x_i - out): the softmax of the slice."""

    keeps_input = keeps_output = True

    def backward(self, grad):
        (x,) = self.saved_tensors
        out = expand_back(self.saved_output, self.shape, self.dims, self.keepdim)
        return expand_back(grad, self.shape, self.dims, self.keepdim) * (x - out).exp()


# ---- diff ---------------------------------------------------------------------------------------
def diff(input: Tensor, n: int = 1, dim: int = -1, prepend=None, append=None) -> Tensor:
    """The ``n``-th forward difference along ``dim``: ``out[i] = x[i + 1] - x[i]``, repeated
    ``n`` times, so each round is one shorter (``(5,)`` with ``n=2`` → ``(3,)``). ``prepend`` and
    ``append`` are joined on first (same number of dimensions; same sizes except along ``dim``).
    Bool tensors differ by ``logical_xor``. The inverse, up to the first element, of ``cumsum``."""
    x = input._data
    if x.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = _dim(int(dim), x.ndim)
    parts = [input]
    for name, extra in (("prepend", prepend), ("append", append)):
        if extra is None:
            continue
        if not isinstance(extra, Tensor):
            raise TypeError(f"diff(): argument '{name}' must be Tensor, not {type(extra).__name__}")
        e = extra._data
        if e.ndim != x.ndim:
            raise RuntimeError("diff expects prepend or append to be the same dimension as input")
        for i in range(x.ndim):
            if i != d and e.shape[i] != x.shape[i]:
                raise RuntimeError(
                    "diff expects the shape of tensor to prepend or append to match that of input "
                    f"except along the differencing dimension; input.size({i}) = {x.shape[i]}, "
                    f"but got tensor.size({i}) = {e.shape[i]}"
                )
        parts.insert(0 if name == "prepend" else len(parts), extra)
    out = cat(parts, d) if len(parts) > 1 else input
    if n == 0:
        return out.clone()
    for _ in range(n):
        size = out._data.shape[d]
        if size == 0:
            break
        later, earlier = out.narrow(d, 1, size - 1), out.narrow(d, 0, size - 1)
        out = later.logical_xor(earlier) if out._data.dtype == np.bool_ else later - earlier
    return out


Tensor.sum, Tensor.mean, Tensor.prod = sum, mean, prod
Tensor.all, Tensor.any, Tensor.count_nonzero = all, any, count_nonzero
Tensor.cumsum, Tensor.cumprod, Tensor.logsumexp = cumsum, cumprod, logsumexp
Tensor.logcumsumexp = logcumsumexp
Tensor.diff = diff

__all__ = [
    "sum", "mean", "prod", "all", "any", "count_nonzero", "cumsum", "cumprod", "logcumsumexp",
    "logsumexp", "diff",
]
