"""The smooth activations of ``torch.nn.functional``: gelu, silu, mish, softplus, logsigmoid, and
the composed sigmoid, tanh, softsign and tanhshrink.

Built as the ones of ``activation`` are (one NumPy pass forward, one fused backward
``Node``; see there), and re-exported from it. Shapes: ``(*) -> (*)``.
"""

from __future__ import annotations

import math

import numpy as np

from ..._tensor import Tensor
from .activation import (
    _Activation,
    _apply_inplace,
    _need_float,
    _not_tensor,
    _record,
)


def _sigmoid_np(x: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-x) without overflow warnings (e^-x may be inf: the result is then 0)."""
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-x))


_SQRT_HALF = 0.7071067811865476
_ERFC_EACH = np.frompyfunc(math.erfc, 1, 1)


def _erfc_nonneg(z: np.ndarray) -> np.ndarray:
    """erfc(z) for z >= 0 by the Chebyshev-fitted formula of Numerical Recipes (erfcc): relative
    error below 1.2e-7 everywhere, i.e. float32-exact, tails included."""
    t = 1 / (1 + 0.5 * z)
    poly = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (
        -0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (
            -0.82215223 + t * 0.17087277))))))))
    return t * np.exp(-z * z + poly)


def _normal_cdf_np(x: np.ndarray) -> np.ndarray:
    """Φ(x) = erfc(-x/√2) / 2, the standard normal CDF, accurate in both tails (no 1 - erf
    cancellation): exact (math.erfc per element) in float64, erfcc in float32 and below."""
    if x.dtype == np.float64:
        return 0.5 * np.asarray(_ERFC_EACH(x * -_SQRT_HALF), dtype=np.float64)
    z = x.astype(np.float64) * -_SQRT_HALF
    tail = _erfc_nonneg(np.abs(z))
    return (0.5 * np.where(z >= 0, tail, 2 - tail)).astype(x.dtype)


_TANH_K = math.sqrt(2 / math.pi)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """``x * Φ(x)``, Φ the standard normal CDF (via erf). ``approximate='tanh'`` uses
    ``0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))`` instead."""
    if not isinstance(input, Tensor):
        raise _not_tensor("gelu", "input", 1, input)
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    x = _need_float(input, "GeluKernelImpl")
    if approximate == "none":
        out = x * _normal_cdf_np(x)
    else:
        out = 0.5 * x * (1 + np.tanh(_TANH_K * (x + 0.044715 * x * x * x)))
    return _record(input, out.astype(x.dtype, copy=False), GeluBackward0, approximate)


class GeluBackward0(_Activation):
    """erf form: Φ(x) + x φ(x). tanh form: the product rule through the tanh."""

    def derivative(self):
        x = self.x
        if self.params[0] == "none":
            d = _normal_cdf_np(x) + x * (_INV_SQRT_2PI * np.exp(-0.5 * x * x))
        else:
            inner = _TANH_K * (x + 0.044715 * x * x * x)
            th = np.tanh(inner)
            d = 0.5 * (1 + th) + 0.5 * x * (1 - th * th) * _TANH_K * (1 + 3 * 0.044715 * x * x)
        return d.astype(x.dtype, copy=False)

    def derivative_graph(self, x):
        if self.params[0] == "none":
            return 0.5 * (1 + (x * _SQRT_HALF).erf()) + x * ((x * x * -0.5).exp() * _INV_SQRT_2PI)
        th = ((x + 0.044715 * x * x * x) * _TANH_K).tanh()
        return 0.5 * (1 + th) + 0.5 * x * (1 - th * th) * _TANH_K * (1 + 3 * 0.044715 * x * x)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * sigmoid(x)`` (also called swish)."""
    if inplace:
        return _apply_inplace(input, silu, "silu_")
    x = _need_float(input, "silu_cpu")
    return _record(input, x * _sigmoid_np(x), SiluBackward0)


class SiluBackward0(_Activation):
    """d/dx x σ(x) = σ(x) (1 + x (1 - σ(x)))."""

    def derivative(self):
        x = self.x
        s = _sigmoid_np(x)
        return s * (1 + x * (1 - s))

    def derivative_graph(self, x):
        s = x.sigmoid()
        return s * (1 + x * (1 - s))


def _softplus_np(x: np.ndarray) -> np.ndarray:
    """log(1 + e^x), computed as max(x, 0) + log1p(e^-|x|) so it never overflows."""
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * tanh(softplus(x))``."""
    if inplace:
        return _apply_inplace(input, mish, "mish_")
    x = _need_float(input, "mish_cpu")
    return _record(input, x * np.tanh(_softplus_np(x)), MishBackward0)


class MishBackward0(_Activation):
    """d/dx = tanh(sp) + x σ(x) (1 - tanh(sp)²), sp = softplus(x)."""

    def derivative(self):
        x = self.x
        t = np.tanh(_softplus_np(x))
        return t + x * _sigmoid_np(x) * (1 - t * t)

    def derivative_graph(self, x):
        t = softplus(x).tanh()
        return t + x * x.sigmoid() * (1 - t * t)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """``log(1 + exp(beta x)) / beta``; where ``beta x > threshold`` it is just x (no overflow)."""
    x = _need_float(input, "softplus_cpu")
    bx = x * x.dtype.type(beta)
    out = np.where(bx > threshold, x, _softplus_np(bx) / x.dtype.type(beta))
    return _record(input, out, SoftplusBackward0, beta, threshold)


class SoftplusBackward0(_Activation):
    """d/dx = sigmoid(beta x), or 1 above the threshold."""

    def derivative(self):
        x = self.x
        beta, thr = self.params
        bx = x * x.dtype.type(beta)
        return np.where(bx > thr, x.dtype.type(1), _sigmoid_np(bx))

    def derivative_graph(self, x):
        from ...ops.pointwise import where

        beta, thr = self.params
        bx = x * beta
        return where(bx > thr, 1.0, bx.sigmoid())


def logsigmoid(input: Tensor) -> Tensor:
    """log(sigmoid(x)) = -softplus(-x), stable for large |x|."""
    x = _need_float(input, "log_sigmoid_forward")
    return _record(input, -_softplus_np(-x), LogSigmoidBackward0)


class LogSigmoidBackward0(_Activation):
    """d/dx log σ(x) = 1 - σ(x) = σ(-x)."""

    def derivative(self):
        return _sigmoid_np(-self.x)

    def derivative_graph(self, x):
        return (-x).sigmoid()


def sigmoid(input: Tensor) -> Tensor:
    """1 / (1 + exp(-x)): the tensor op ``input.sigmoid()`` (SigmoidBackward0)."""
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:
    """Hyperbolic tangent: the tensor op ``input.tanh()`` (TanhBackward0)."""
    return input.tanh()


def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|), composed of tensor ops as in torch (its grad_fn is DivBackward0)."""
    return input / (input.abs() + 1)


def tanhshrink(input: Tensor) -> Tensor:
    """x - tanh(x), composed of tensor ops."""
    return input - input.tanh()


__all__ = [
    "gelu", "silu", "mish", "softplus", "logsigmoid", "sigmoid", "tanh", "softsign", "tanhshrink",
]
