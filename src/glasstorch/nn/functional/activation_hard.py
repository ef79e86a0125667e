"""More activations of ``torch.nn.functional``: the "hard" (piecewise) ones used by mobile
networks, the shrinkage functions, gated linear units and the learned/random leaky ReLUs.

Same pattern as ``activation``: one NumPy pass forward, one node named as torch names
it, whose backward multiplies by the local derivative (``_Activation``).
"""

from __future__ import annotations

import numpy as np

from ..._tensor import Tensor, _dim, _wrap
from ...autograd import grad_mode
from ...autograd.graph import Node
from .activation import (
    _Activation,
    _apply_inplace,
    _as,
    _need_float,
    _record,
)
from .activation_smooth import _sigmoid_np


# ---- hard sigmoid / hard swish ------------------------------------------------------------------
def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """``clip(x / 6 + 1/2, 0, 1)``: a piecewise-linear sigmoid (0 below -3, 1 above 3)."""
    if inplace:
        return _apply_inplace(input, hardsigmoid, "hardsigmoid_")
    x = _need_float(input, "hardsigmoid_cpu")
    return _record(input, np.clip(x / 6 + 0.5, 0, 1), HardsigmoidBackward0)


class HardsigmoidBackward0(_Activation):
    """d/dx = 1/6 strictly between -3 and 3, else 0."""

    def derivative(self):
        x = self.x
        return ((x > -3) & (x < 3)).astype(x.dtype) / 6


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * hardsigmoid(x)``: 0 below -3, x above 3, ``x (x + 3) / 6`` between."""
    if inplace:
        return _apply_inplace(input, hardswish, "hardswish_")
    x = _need_float(input, "hardswish_cpu")
    return _record(input, x * np.clip(x + 3, 0, 6) / 6, HardswishBackward0)


class HardswishBackward0(_Activation):
    """d/dx = 0 below -3, ``x/3 + 1/2`` up to 3, 1 above."""

    def derivative(self):
        x = self.x
        return np.where(x < -3, 0, np.where(x <= 3, x / 3 + 0.5, 1)).astype(x.dtype)

    def derivative_graph(self, x):
        from ...ops.pointwise import where

        return where(x < -3, 0.0, where(x <= 3, x / 3 + 0.5, 1.0))


# ---- shrinkage ----------------------------------------------------------------------------------
def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x where ``|x| > lambd``, else 0."""
    x = _need_float(input, "hardshrink_cpu")
    return _record(input, np.where(np.abs(x) > lambd, x, 0), HardshrinkBackward0, lambd)


class HardshrinkBackward0(_Activation):
    def derivative(self):
        return (np.abs(self.x) > self.params[0]).astype(self.x.dtype)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x moved toward 0 by ``lambd`` (``x - lambd`` above, ``x + lambd`` below), 0 in between."""
    if lambd < 0:
        raise RuntimeError(
            f"lambda must be greater or equal to 0, but found to be {lambd}."
        )
    x = _need_float(input, "softshrink_cpu")
    out = np.where(x > lambd, x - lambd, np.where(x < -lambd, x + lambd, 0))
    return _record(input, out, SoftshrinkBackward0, lambd)


class SoftshrinkBackward0(HardshrinkBackward0):
    """Same mask as hardshrink: 1 where ``|x| > lambd``."""


# ---- gated linear unit --------------------------------------------------------------------------
def glu(input: Tensor, dim: int = -1) -> Tensor:
    """Split ``input`` in halves a, b along ``dim`` and return ``a * sigmoid(b)``.

    Shape: (*, 2n, *) → (*, n, *).
    """
    x = input._data
    if x.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = _dim(dim, x.ndim)
    if x.shape[d] % 2:
        raise RuntimeError(
            f"Halving dimension must be even, but dimension {d} is size {x.shape[d]}"
        )
    _need_float(input, "glu_cpu")
    a, b = np.split(x, 2, axis=d)
    res = _wrap(_as(a * _sigmoid_np(b), x.dtype))
    if input._rg and grad_mode.state.enabled:
        res._rg = True
        node = GluBackward0(input)
        node.save(input)
        node.dim = d
        res._grad_fn = node
    return res


class GluBackward0(Node):
    """With s = sigmoid(b): d/da = g s, d/db = g a s (1 - s); the two halves joined again."""

    def backward(self, grad):
        (x,) = self.saved_tensors
        d = self.dim
        if grad_mode.state.enabled:
            from ... import cat

            a, b = x.chunk(2, d)
            s = b.sigmoid()
            return cat([grad * s, grad * a * s * (1 - s)], d)
        a, b = np.split(x._data, 2, axis=d)
        s = _sigmoid_np(b)
        g = grad._data
        return _wrap(_as(np.concatenate([g * s, g * a * s * (1 - s)], axis=d), g.dtype))


# ---- leaky ReLUs with learned or random slopes --------------------------------------------------
def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """Leaky ReLU with a learned slope: x where x > 0, ``weight * x`` elsewhere.

    ``weight`` has one element (shared) or one per channel (dim 1 of the input; inputs of
    fewer than 2 dimensions have a single channel).
    """
    x, w = input._data, weight._data
    channels = x.shape[1] if x.ndim >= 2 else 1
    if w.size != 1 and w.size != channels:
        raise RuntimeError(
            "Mismatch of parameter numbers and input channel size. Found parameter numbers = "
            f"{w.size} and channel size = {channels}."
        )
    wb = _slope_layout(w, x.ndim)
    out = np.where(x > 0, x, wb * x)
    res = _wrap(_as(out, x.dtype))
    if grad_mode.state.enabled and (input._rg or weight._rg):
        res._rg = True
        node = PreluKernelBackward0(input, weight)
        node.save(input, weight)
        res._grad_fn = node
    return res


def _slope_layout(w: np.ndarray, ndim: int) -> np.ndarray:
    """The slopes shaped to broadcast along the channel dimension."""
    if w.size == 1 or ndim < 2:
        return w.reshape(())
    shape = [1] * ndim
    shape[1] = w.size
    return w.reshape(shape)


class PreluKernelBackward0(Node):
    """d/dx = 1 where x > 0 else the slope; d/dweight = sum of ``g * x`` over the non-positive
    entries, per channel (or over everything for a single shared slope)."""

    def backward(self, grad):
        x, w = self.saved_tensors
        gx_need, gw_need = self.needs_input_grad
        xd, g = x._data, grad._data
        wb = _slope_layout(w._data, xd.ndim)
        pos = xd > 0
        if grad_mode.state.enabled:
            from ...ops.pointwise import where

            wt = w.reshape(wb.shape)
            gx = where(x > 0, grad, grad * wt) if gx_need else None
            gw = None
            if gw_need:
                contrib = where(x > 0, 0.0, grad * x)
                gw = _sum_per_channel_graph(contrib, w, xd.ndim)
            return gx, gw
        gx = _wrap(_as(np.where(pos, g, g * wb), g.dtype)) if gx_need else None
        gw = None
        if gw_need:
            contrib = np.where(pos, 0, g * xd)
            if w._data.size == 1:
                total = contrib.sum()
            else:
                total = contrib.sum(axis=tuple(i for i in range(xd.ndim) if i != 1))
            gw = _wrap(_as(np.reshape(total, w._data.shape), w._data.dtype))
        return gx, gw


def _sum_per_channel_graph(contrib, w, ndim):
    if w._data.size == 1:
        return contrib.sum().reshape(w.shape)
    return contrib.sum(tuple(i for i in range(ndim) if i != 1)).reshape(w.shape)


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
          inplace: bool = False) -> Tensor:
    """Randomised leaky ReLU: in training each negative entry gets a slope drawn uniformly from
    ``[lower, upper]``; in evaluation the slope is their mean."""
    if inplace:
        return _apply_inplace(input, lambda t: rrelu(t, lower, upper, training), "rrelu_")
    x = _need_float(input, "rrelu_with_noise_cpu")
    if training:
        from ...random import numpy_rng

        slopes = numpy_rng(None).uniform(lower, upper, x.shape).astype(x.dtype)
        noise = np.where(x > 0, x.dtype.type(1), slopes)
    else:
        noise = np.where(x > 0, x.dtype.type(1), x.dtype.type((lower + upper) / 2))
    return _record(input, x * noise, RreluWithNoiseBackward0, noise)


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
           training: bool = False) -> Tensor:
    """In-place ``rrelu``."""
    return rrelu(input, lower, upper, training, inplace=True)


class RreluWithNoiseBackward0(_Activation):
    """The gradient is scaled by the slope each entry used (1 for positive entries)."""

    def derivative(self):
        return self.params[0]


Tensor.prelu, Tensor.hardshrink = prelu, hardshrink

__all__ = [
    "hardsigmoid", "hardswish", "hardshrink", "softshrink", "glu", "prelu", "rrelu", "rrelu_",
]
