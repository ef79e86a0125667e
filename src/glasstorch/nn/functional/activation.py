"""The piecewise-linear and exponential activations of ``torch.nn.functional``.

``relu`` is the tensor op ``glasstorch.relu`` (torch's ``F.relu`` calls ``torch.relu``; its node,
``ReluBackward0``, lives with the op in ``ops/sign_and_rounding.py``). The others are one NumPy pass
forward and one node back, named as torch names it (``LeakyReluBackward0``, ``EluBackward0``...):
an ``Activation`` (``_elementwise``) whose backward is ``grad * derivative(x)``. For the
piecewise-linear ones the derivative is a constant mask (0/1, or the slope); for the exponential
ones it is built from glasstorch ops, so ``create_graph=True`` differentiates it again.

Each has an in-place form (``inplace=True``, or ``F.elu_``); torch names some of their nodes
differently (``elu_`` records ``EluBackward1``), and so do we. Shapes: ``(*) -> (*)``.

The smooth gates (gelu, silu, mish, softplus, and sigmoid, tanh) are in ``activation_smooth``, the
hard ones used by mobile networks in ``activation_hard``, the softmax family in ``softmax``.
"""

from __future__ import annotations

import numpy as np

from ... import ops
from ..._errors import not_tensor
from ..._tensor import Tensor, _wrap
from ...autograd.graph import attach
from ._elementwise import Activation, apply_inplace, as_array, mask, need_float


# ---- ReLU family (piecewise linear) -------------------------------------------------------------
def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(0, x) elementwise, the op ``glasstorch.relu``. Shape kept. Gradient: 1 where the
    output is positive, else 0 (``ReluBackward0``)."""
    if not isinstance(input, Tensor):
        raise not_tensor("relu", input)
    return ops.relu_(input) if inplace else ops.relu(input)


def relu_(input: Tensor) -> Tensor:
    """In-place ``relu``: overwrites ``input`` and returns it (``glasstorch.relu_``)."""
    return ops.relu_(input)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x where x > 0, ``negative_slope * x`` elsewhere."""
    if inplace:
        return apply_inplace(
            input, lambda t: _leaky_relu(t, negative_slope, LeakyReluBackward1), "leaky_relu_"
        )
    return _leaky_relu(input, negative_slope, LeakyReluBackward0)


def _leaky_relu(input: Tensor, negative_slope: float, node) -> Tensor:
    x = need_float(input, "leaky_relu_cpu")
    out = np.where(x > 0, x, x * x.dtype.type(negative_slope))
    return attach(_wrap(as_array(out, x.dtype)), node, input, negative_slope=negative_slope)


class LeakyReluBackward0(Activation):
    """d/dx = 1 where x > 0, ``negative_slope`` elsewhere."""

    def derivative(self, x):
        d = x._data
        return mask(np.where(d > 0, d.dtype.type(1), d.dtype.type(self.negative_slope)), x)


class LeakyReluBackward1(LeakyReluBackward0):
    """The node of in-place ``leaky_relu_`` (torch's name)."""


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """x clipped to ``[min_val, max_val]``; gradient 1 strictly inside, 0 outside."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if inplace:
        return apply_inplace(input, lambda t: hardtanh(t, min_val, max_val), "hardtanh_")
    x = input._data
    out = np.clip(x, min_val, max_val).astype(x.dtype, copy=False)
    return attach(_wrap(as_array(out, x.dtype)), HardtanhBackward0, input,
                  min_val=min_val, max_val=max_val)


class HardtanhBackward0(Activation):
    """d/dx = 1 strictly between ``min_val`` and ``max_val``, else 0."""

    def derivative(self, x):
        d = x._data
        return mask((d > self.min_val) & (d < self.max_val), x)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(0, x), 6): ``hardtanh(x, 0, 6)`` (and torch names its node HardtanhBackward0)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """x where x > ``threshold``, else ``value``."""
    if inplace:
        return threshold_(input, threshold, value)
    return _threshold(input, threshold, value, ThresholdBackward0)


def _threshold(input: Tensor, threshold: float, value: float, node) -> Tensor:
    x = input._data
    out = np.where(x > threshold, x, x.dtype.type(value))
    return attach(_wrap(as_array(out, x.dtype)), node, input, threshold=threshold)


class ThresholdBackward0(Activation):
    """d/dx = 1 where x > ``threshold``, else 0 (the replaced entries are constants)."""

    def derivative(self, x):
        return mask(x._data > self.threshold, x)


class ThresholdBackward1(ThresholdBackward0):
    """The node of in-place ``threshold_``."""


# ---- exponential family -------------------------------------------------------------------------
def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, ``alpha * (exp(x) - 1)`` otherwise."""
    if inplace:
        return apply_inplace(input, lambda t: _elu(t, alpha, 1.0, 1.0, EluBackward1), "elu_")
    return _elu(input, alpha, 1.0, 1.0, EluBackward0)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """``scale * elu(x, alpha)``, self-normalising constants alpha≈1.6733, scale≈1.0507."""
    if inplace:
        return apply_inplace(
            input, lambda t: _elu(t, _SELU_ALPHA, _SELU_SCALE, 1.0, EluBackward1), "selu_"
        )
    return _elu(input, _SELU_ALPHA, _SELU_SCALE, 1.0, EluBackward0)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, ``alpha * (exp(x / alpha) - 1)`` otherwise."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    if inplace:
        return apply_inplace(
            input, lambda t: _elu(t, alpha, 1.0, 1.0 / alpha, CeluBackward1), "celu_"
        )
    return _elu(input, alpha, 1.0, 1.0 / alpha, CeluBackward0)


def _elu(input, alpha, scale, input_scale, node):
    """The elu family: ``scale * x`` for x > 0, ``scale * alpha * (exp(x * input_scale) - 1)``
    otherwise (elu: scale = input_scale = 1; selu: torch's constants; celu: input_scale 1/alpha)."""
    x = need_float(input, "elu_cpu")
    dt = x.dtype
    with np.errstate(over="ignore"):
        neg = dt.type(alpha * scale) * np.expm1(np.minimum(x, 0) * dt.type(input_scale))
    out = np.where(x > 0, x * dt.type(scale), neg)
    return attach(_wrap(as_array(out, dt)), node, input,
                  alpha=alpha, scale=scale, input_scale=input_scale)


class EluBackward0(Activation):
    """d/dx: ``scale`` for x > 0, ``scale * alpha * input_scale * exp(x * input_scale)`` else."""

    def derivative(self, x):
        s, k = self.scale, self.input_scale
        neg = (x.clamp(max=0) * k).exp() * (s * self.alpha * k)
        return ops.where(x > 0, s, neg)


class CeluBackward0(EluBackward0):
    """celu is elu with ``input_scale = 1/alpha``; torch gives it its own node name."""


class EluBackward1(EluBackward0):
    """The node of in-place ``elu_`` and ``selu_``."""


class CeluBackward1(CeluBackward0):
    """The node of in-place ``celu_``."""


# ---- in-place spellings (``F.elu_(x)`` is ``F.elu(x, inplace=True)``) ---------------------------
def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """In-place ``leaky_relu``."""
    return leaky_relu(input, negative_slope, inplace=True)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """In-place ``hardtanh``."""
    return hardtanh(input, min_val, max_val, inplace=True)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    """In-place ``threshold``."""
    return apply_inplace(
        input, lambda t: _threshold(t, threshold, value, ThresholdBackward1), "threshold_"
    )


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """In-place ``elu``."""
    return elu(input, alpha, inplace=True)


def selu_(input: Tensor) -> Tensor:
    """In-place ``selu``."""
    return selu(input, inplace=True)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """In-place ``celu``."""
    return celu(input, alpha, inplace=True)


__all__ = [
    "leaky_relu_", "hardtanh_", "threshold_", "elu_", "selu_", "celu_",
    "relu", "relu_", "relu6", "leaky_relu", "hardtanh", "threshold", "elu", "selu", "celu",
]
