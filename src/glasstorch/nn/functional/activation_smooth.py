"""The smooth activations of ``torch.nn.functional``: gelu, silu, mish, softplus, logsigmoid, and
the composed sigmoid, tanh, softsign and tanhshrink.

Built as those of ``activation`` are: one NumPy pass forward, one ``Activation`` node back
(``_elementwise``), whose ``derivative(x)`` is written with glasstorch ops so that
``create_graph=True`` differentiates it again. ``sigmoid`` and ``tanh`` are the tensor ops (torch's
functional forms call them too); ``softsign`` and ``tanhshrink`` are composed of tensor ops, as in
torch. Shapes: ``(*) -> (*)``.
"""

from __future__ import annotations

import importlib
import math

import numpy as np

from ... import _array, ops
from ..._errors import not_tensor
from ..._tensor import Tensor, _wrap
from ...autograd import grad_mode
from ...autograd.graph import attach
from ...ops.transcendental import erfc_nonneg
from ._elementwise import (
    Activation,
    apply_inplace,
    as_array,
    need_float,
    sigmoid_np,
    softplus_np,
)

_SQRT_HALF = 0.7071067811865476
_ERFC_EACH = np.frompyfunc(math.erfc, 1, 1)


def _erfc_exact(z):
    """erfc of a float64 array, exact: ``math.erfc`` per element on the host; on a GPU CuPy's
    own (``cupyx.scipy.special.erfc``), or, where the array library has none, on the host (a copy
    there and back: ``np.frompyfunc`` has no device version)."""
    if _array.on_host(z):
        return np.asarray(_ERFC_EACH(z), dtype=np.float64)
    try:
        special = importlib.import_module(_array.cuda().xpx.__name__ + ".scipy.special")
    except ImportError:
        return _array.like(z, np.asarray(_ERFC_EACH(_array.to_host(z)), dtype=np.float64))
    return special.erfc(z)


def _normal_cdf_np(x: np.ndarray) -> np.ndarray:
    """Φ(x) = erfc(-x/√2) / 2, the standard normal CDF, accurate in both tails (no 1 - erf
    cancellation): exact (math.erfc per element) in float64, erfcc in float32 and below."""
    if x.dtype == np.float64:
        return 0.5 * _erfc_exact(x * -_SQRT_HALF)
    z = x.astype(np.float64) * -_SQRT_HALF
    tail = erfc_nonneg(np.abs(z))
    return (0.5 * np.where(z >= 0, tail, 2 - tail)).astype(x.dtype)


_TANH_K = math.sqrt(2 / math.pi)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """``x * Φ(x)``, Φ the standard normal CDF (via erf). ``approximate='tanh'`` uses
    ``0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))`` instead."""
    if not isinstance(input, Tensor):
        raise not_tensor("gelu", input)
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    x = need_float(input, "GeluKernelImpl")
    if approximate == "none":
        out = x * _normal_cdf_np(x)
    else:
        out = 0.5 * x * (1 + np.tanh(_TANH_K * (x + 0.044715 * x * x * x)))
    return attach(_wrap(as_array(out, x.dtype)), GeluBackward0, input,
                  approximate=approximate)


class GeluBackward0(Activation):
    """erf form: d/dx x Φ(x) = Φ(x) + x φ(x), φ the normal density. tanh form: the product rule
    through the tanh."""

    def backward(self, grad):
        if self.approximate == "none" and not grad_mode.state.enabled:
            # fast path: Φ and φ in one NumPy pass each (the op-by-op form below costs 1.6x)
            x, g = self.saved_tensors[0]._data, grad._data
            d = _normal_cdf_np(x) + x * (np.exp(x * x * -0.5) * _INV_SQRT_2PI)
            return _wrap(as_array(g * d, g.dtype))
        return super().backward(grad)

    def derivative(self, x):
        if self.approximate == "none":
            return 0.5 * (1 + (x * _SQRT_HALF).erf()) + x * ((x * x * -0.5).exp() * _INV_SQRT_2PI)
        th = ((x + 0.044715 * x * x * x) * _TANH_K).tanh()
        return 0.5 * (1 + th) + 0.5 * x * (1 - th * th) * _TANH_K * (1 + 3 * 0.044715 * x * x)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * sigmoid(x)`` (also called swish)."""
    if inplace:
        return apply_inplace(input, silu, "silu_")
    x = need_float(input, "silu_cpu")
    return attach(_wrap(as_array(x * sigmoid_np(x), x.dtype)), SiluBackward0, input)


class SiluBackward0(Activation):
    """d/dx x σ(x) = σ(x) (1 + x (1 - σ(x)))."""

    def derivative(self, x):
        s = x.sigmoid()
        return s * (1 + x * (1 - s))


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * tanh(softplus(x))``."""
    if inplace:
        return apply_inplace(input, mish, "mish_")
    x = need_float(input, "mish_cpu")
    return attach(_wrap(as_array(x * np.tanh(softplus_np(x)), x.dtype)), MishBackward0, input)


class MishBackward0(Activation):
    """d/dx = tanh(sp) + x σ(x) (1 - tanh(sp)²), sp = softplus(x)."""

    def derivative(self, x):
        t = softplus(x).tanh()
        return t + x * x.sigmoid() * (1 - t * t)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """``log(1 + exp(beta x)) / beta``; where ``beta x > threshold`` it is just x (no overflow)."""
    x = need_float(input, "softplus_cpu")
    bx = x * x.dtype.type(beta)
    out = np.where(bx > threshold, x, softplus_np(bx) / x.dtype.type(beta))
    return attach(_wrap(as_array(out, x.dtype)), SoftplusBackward0, input,
                  beta=beta, threshold=threshold)


class SoftplusBackward0(Activation):
    """d/dx = sigmoid(beta x), or 1 above the threshold."""

    def derivative(self, x):
        bx = x * self.beta
        return ops.where(bx > self.threshold, 1.0, bx.sigmoid())


def logsigmoid(input: Tensor) -> Tensor:
    """log(sigmoid(x)) = -softplus(-x), stable for large |x|."""
    x = need_float(input, "log_sigmoid_forward")
    return attach(_wrap(as_array(-softplus_np(-x), x.dtype)), LogSigmoidBackward0, input)


class LogSigmoidBackward0(Activation):
    """d/dx log σ(x) = 1 - σ(x) = σ(-x)."""

    def derivative(self, x):
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
