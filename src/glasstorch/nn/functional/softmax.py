"""Softmax and its relatives along a dimension: ``softmax``, ``log_softmax``, ``softmin``, and
``gumbel_softmax`` (a differentiable sample of a category).

Each is one fused op: the forward subtracts the max along ``dim`` (so ``exp`` cannot overflow) and
records a single node, ``SoftmaxBackward0`` or ``LogSoftmaxBackward0`` as in torch, which keeps the
op's output and whose backward is the Jacobian-vector product in closed form, written with
glasstorch ops (plus a NumPy fast path on the ordinary ``loss.backward()``). Leaving ``dim`` out is
deprecated in torch: it warns and picks dim 0 for 0-, 1- and 3-D inputs, else dim 1.
"""

from __future__ import annotations

import warnings

import numpy as np

from ... import _array
from ..._dtype import scalar_name
from ..._tensor import Tensor, _dim, _wrap
from ...autograd import grad_mode
from ...autograd.graph import Node, attach
from ...random import numpy_rng
from ._elementwise import as_array, need_float


# ---- softmax family -----------------------------------------------------------------------------
def _softmax_dim(name: str, ndim: int, stacklevel: int) -> int:
    """torch's choice when ``dim`` is omitted (deprecated, so warn): 0 for 0-, 1- and 3-D input."""
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
        "dim=X as an argument.",
        UserWarning,
        stacklevel=stacklevel,
    )
    return 0 if ndim in (0, 1, 3) else 1


def _prepare(input: Tensor, dim, dtype, name: str, stacklevel: int):
    if dim is None:
        dim = _softmax_dim(name, input._data.ndim, stacklevel + 1)
    if dtype is not None:
        input = input.to(dtype)
    x = input._data
    d = _dim(dim, x.ndim) if x.ndim else None  # NumPy reduces a 0-d array over axis=None
    if x.dtype.kind != "f":
        last = "lastdim_" if d == x.ndim - 1 or x.ndim == 0 else ""
        need_float(input, f"{name}_{last}kernel_impl")
    return input, x, d


def _shifted(x: np.ndarray, d) -> np.ndarray:
    """x minus its max along ``d``: exp of it cannot overflow (the max row entry becomes 0).
    A row holding +inf or only -inf gives nan, as in torch."""
    if x.size == 0 or x.ndim == 0:
        return x - x
    m = x.max(axis=d, keepdims=True)
    if np.isinf(m).any():
        with np.errstate(invalid="ignore"):
            return x - m
    return x - m


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """exp(x) / sum(exp(x)) along ``dim``: each slice becomes a probability distribution.

    Stable: the max along ``dim`` is subtracted first. ``dtype`` casts the input before.
    Shape kept, e.g. logits (N, C) with dim=1 → probabilities (N, C) whose rows sum to 1.
    """
    input, x, d = _prepare(input, dim, dtype, "softmax", _stacklevel)
    e = np.exp(_shifted(x, d))
    e /= e.sum(axis=d, keepdims=True)
    return attach(_wrap(as_array(e, x.dtype)), SoftmaxBackward0, input, dim=d)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """log(softmax(x)) along ``dim``, computed as ``x - max - log(sum(exp(x - max)))``: no
    overflow for large logits and no log(0) for small ones. Shape kept."""
    input, x, d = _prepare(input, dim, dtype, "log_softmax", _stacklevel)
    z = _shifted(x, d)
    out = z - np.log(np.exp(z).sum(axis=d, keepdims=True))
    return attach(_wrap(as_array(out, x.dtype)), LogSoftmaxBackward0, input, dim=d)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """softmax of ``-x``: the smallest entries get the most weight."""
    if dim is None:
        dim = _softmax_dim("softmin", input._data.ndim, _stacklevel)
    if dtype is not None:
        input = input.to(dtype)
    return softmax(-input, dim)


class _AlongDim(Node):
    """A backward along ``self.dim`` that reads the op's output ``y`` (``keeps_output``)."""

    keeps_output = True

    def __init__(self, input, *, dim):
        super().__init__(input)
        self.dim = dim


class SoftmaxBackward0(_AlongDim):
    """y = softmax(x): dx = y * (g - sum(g * y)) along dim (the Jacobian-vector product)."""

    def backward(self, grad):
        y = self.saved_output
        if not grad_mode.state.enabled:  # fast path: NumPy, no intermediate tensors
            g, yd = grad._data, y._data
            gy = g * yd
            return _wrap(as_array(gy - yd * gy.sum(axis=self.dim, keepdims=True), g.dtype))
        return y * (grad - (grad * y).sum(self.dim, keepdim=True))


class LogSoftmaxBackward0(_AlongDim):
    """y = log_softmax(x): dx = g - exp(y) * sum(g) along dim."""

    def backward(self, grad):
        y = self.saved_output
        if not grad_mode.state.enabled:  # fast path: NumPy, no intermediate tensors
            g = grad._data
            return _wrap(as_array(g - np.exp(y._data) * g.sum(axis=self.dim, keepdims=True),
                                  g.dtype))
        return grad - y.exp() * grad.sum(self.dim, keepdim=True)


def gumbel_softmax(logits: Tensor, tau: float = 1.0, hard: bool = False, eps: float = 1e-10,
                   dim: int = -1) -> Tensor:
    """A differentiable sample from the categorical distribution ``softmax(logits)``.

    Adds Gumbel noise ``g = -log(E)``, ``E ~ Exponential(1)``, to the logits (the *Gumbel-max
    trick*: ``argmax(logits + g)`` is an exact sample) and relaxes the argmax to
    ``softmax((logits + g) / tau, dim)``: a point of the simplex that tends to a one-hot row as
    the temperature ``tau`` goes to 0. With ``hard=True`` the result is the one-hot row of that
    argmax, but its gradient is the soft sample's (``y_hard - y_soft.detach() + y_soft``, the
    *straight-through* estimator). ``eps`` is deprecated and ignored, as in torch.

    Shape: ``logits`` (*) → the same shape. The noise comes from the default generator
    (``glasstorch.manual_seed`` reproduces it).
    """
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", UserWarning,
                      stacklevel=2)
    x = logits._data
    if x.dtype.kind != "f":
        raise RuntimeError(
            "Exponential distribution is a continuous probability distribution. dtype must be a "
            f"floating point but you specified {scalar_name(x.dtype)}"
        )
    d = _dim(dim, x.ndim) if x.ndim else None
    noise = -np.log(numpy_rng(None).standard_exponential(x.shape).astype(x.dtype))
    y_soft = softmax((logits + _wrap(_array.like(x, noise))) / tau, dim)  # drawn on the host
    if not hard:
        return y_soft
    y = y_soft._data
    if x.ndim and not _array.on_host(y):  # a GPU: the argmax's place compared along d
        shape = [1] * y.ndim
        shape[d] = y.shape[d]
        places = _array.namespace(y).arange(y.shape[d]).reshape(shape)
        one_hot = (places == np.expand_dims(y.argmax(d), d)).astype(y.dtype)
    elif x.ndim:
        one_hot = np.zeros_like(y)
        np.put_along_axis(one_hot, np.expand_dims(y.argmax(d), d), 1.0, d)
    else:
        one_hot = np.ones_like(y)
    return _wrap(one_hot) - y_soft.detach() + y_soft


def _softmax_method(self: Tensor, dim: int, dtype=None) -> Tensor:
    """``x.softmax(dim)``: softmax along ``dim`` (required for the method form)."""
    return softmax(self, dim, dtype=dtype)


def _log_softmax_method(self: Tensor, dim: int, dtype=None) -> Tensor:
    """``x.log_softmax(dim)``: log-softmax along ``dim``."""
    return log_softmax(self, dim, dtype=dtype)


Tensor.softmax, Tensor.log_softmax = _softmax_method, _log_softmax_method

__all__ = ["softmax", "log_softmax", "softmin", "gumbel_softmax"]
