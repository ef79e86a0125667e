"""More activations of ``torch.nn.functional``: the "hard" (piecewise) ones used by mobile
networks, the shrinkage functions, gated linear units and the learned/random leaky ReLUs.

Same pattern as ``activation``: one NumPy pass forward, one node named as torch names it, whose
backward multiplies the incoming gradient by the local derivative (``_elementwise.Activation``).
"""

from __future__ import annotations

import numpy as np

from ... import _array, ops
from ..._tensor import Tensor, _dim, _wrap
from ...autograd.graph import Node, attach
from ...random import numpy_rng
from ._elementwise import Activation, apply_inplace, as_array, mask, need_float, sigmoid_np


# ---- hard sigmoid / hard swish ------------------------------------------------------------------
def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """``clip(x / 6 + 1/2, 0, 1)``: a piecewise-linear sigmoid (0 below -3, 1 above 3)."""
    if inplace:
        return apply_inplace(input, hardsigmoid, "hardsigmoid_")
    x = need_float(input, "hardsigmoid_cpu")
    return attach(_wrap(as_array(np.clip(x / 6 + 0.5, 0, 1), x.dtype)), HardsigmoidBackward0,
                  input)


class HardsigmoidBackward0(Activation):
    """d/dx = 1/6 strictly between -3 and 3, else 0."""

    def derivative(self, x):
        d = x._data
        return mask(((d > -3) & (d < 3)).astype(d.dtype) / 6, x)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * hardsigmoid(x)``: 0 below -3, x above 3, ``x (x + 3) / 6`` between."""
    if inplace:
        return apply_inplace(input, hardswish, "hardswish_")
    x = need_float(input, "hardswish_cpu")
    return attach(_wrap(as_array(x * np.clip(x + 3, 0, 6) / 6, x.dtype)), HardswishBackward0,
                  input)


class HardswishBackward0(Activation):
    """d/dx = 0 below -3, ``x/3 + 1/2`` up to 3, 1 above."""

    def derivative(self, x):
        return ops.where(x < -3, 0.0, ops.where(x <= 3, x / 3 + 0.5, 1.0))


# ---- shrinkage ----------------------------------------------------------------------------------
def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x where ``|x| > lambd``, else 0."""
    x = need_float(input, "hardshrink_cpu")
    return attach(_wrap(as_array(np.where(np.abs(x) > lambd, x, 0), x.dtype)),
                  HardshrinkBackward0, input, lambd=lambd)


class HardshrinkBackward0(Activation):
    """d/dx = 1 where ``|x| > lambd``, else 0."""

    def derivative(self, x):
        return mask(np.abs(x._data) > self.lambd, x)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x moved toward 0 by ``lambd`` (``x - lambd`` above, ``x + lambd`` below), 0 in between."""
    if lambd < 0:
        raise RuntimeError(
            f"lambda must be greater or equal to 0, but found to be {lambd}."
        )
    x = need_float(input, "softshrink_cpu")
    out = np.where(x > lambd, x - lambd, np.where(x < -lambd, x + lambd, 0))
    return attach(_wrap(as_array(out, x.dtype)), SoftshrinkBackward0, input, lambd=lambd)


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
    need_float(input, "glu_cpu")
    a, b = np.split(x, 2, axis=d)
    return attach(_wrap(as_array(a * sigmoid_np(b), x.dtype)), GluBackward0, input, dim=d)


class GluBackward0(Node):
    """With s = sigmoid(b): d/da = g s, d/db = g a s (1 - s); the two halves joined again."""

    def __init__(self, input, *, dim: int):
        super().__init__(input)
        self.save(input)
        self.dim = dim

    def backward(self, grad):
        (x,) = self.saved_tensors
        a, b = x.chunk(2, self.dim)
        s = b.sigmoid()
        return ops.cat([grad * s, grad * a * s * (1 - s)], self.dim)


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
    out = np.where(x > 0, x, w.reshape(_slope_shape(w.size, x.ndim)) * x)
    return attach(_wrap(as_array(out, x.dtype)), PreluKernelBackward0, input, weight)


def _slope_shape(n_slopes: int, ndim: int) -> tuple:
    """The shape that makes the slopes broadcast along the channel dimension (dim 1)."""
    if n_slopes == 1 or ndim < 2:
        return ()
    return (1, n_slopes) + (1,) * (ndim - 2)


class PreluKernelBackward0(Node):
    """d/dx = 1 where x > 0 else the slope; d/dweight = the sum of ``g * x`` over the
    non-positive entries, per channel (or over everything for a single shared slope)."""

    def __init__(self, input, weight):
        super().__init__(input, weight)
        self.save(input, weight)

    def backward(self, grad):
        x, w = self.saved_tensors
        gx_need, gw_need = self.needs_input_grad
        positive = x > 0
        gx = gw = None
        if gx_need:
            gx = ops.where(positive, grad, grad * w.reshape(_slope_shape(w.numel(), x.dim())))
        if gw_need:
            contrib = ops.where(positive, 0.0, grad * x)
            if w.numel() == 1:
                gw = contrib.sum().reshape(w.shape)
            else:
                gw = contrib.sum(tuple(i for i in range(x.dim()) if i != 1)).reshape(w.shape)
        return gx, gw


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
          inplace: bool = False) -> Tensor:
    """Randomised leaky ReLU: in training each negative entry gets a slope drawn uniformly from
    ``[lower, upper]``; in evaluation the slope is their mean."""
    if inplace:
        return apply_inplace(input, lambda t: rrelu(t, lower, upper, training), "rrelu_")
    x = need_float(input, "rrelu_with_noise_cpu")
    if training:
        # drawn on the host from the CPU generator, as every random draw (glasstorch.cuda)
        slopes = _array.like(x, numpy_rng(None).uniform(lower, upper, x.shape).astype(x.dtype))
        noise = np.where(x > 0, x.dtype.type(1), slopes)
    else:
        noise = np.where(x > 0, x.dtype.type(1), x.dtype.type((lower + upper) / 2))
    return attach(_wrap(as_array(x * noise, x.dtype)), RreluWithNoiseBackward0, input,
                  noise=noise)


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
           training: bool = False) -> Tensor:
    """In-place ``rrelu``."""
    return rrelu(input, lower, upper, training, inplace=True)


class RreluWithNoiseBackward0(Node):
    """The gradient is scaled by the slope each entry used (1 for positive entries): the node
    keeps the input and those slopes (``noise``)."""

    def __init__(self, input, *, noise: np.ndarray):
        super().__init__(input)
        self.save(input, noise)

    def backward(self, grad):
        x, noise = self.saved_tensors
        return grad * mask(noise, x)


Tensor.prelu, Tensor.hardshrink = prelu, hardshrink

__all__ = [
    "hardsigmoid", "hardswish", "hardshrink", "softshrink", "glu", "prelu", "rrelu", "rrelu_",
]
