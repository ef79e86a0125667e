"""Transcendental pointwise ops: exponentials and logarithms, square roots, trigonometric and
hyperbolic functions, sigmoid and erf.

Each maps every element on its own: ``(*) -> (*)``. Integer and bool tensors become the default
float dtype (``exp(int_tensor)`` is float32), as in torch. Each op is built by ``_float_op`` next
to its backward ``Node`` (torch's grad_fn name), made by ``_node`` (see ``_unary.py``).
"""

from __future__ import annotations

import math

import numpy as np

from ._unary import _float_op, _node

_LN2, _LN10 = math.log(2.0), math.log(10.0)

# ---- exponentials and logarithms -------------------------------------------------------------
ExpBackward0 = _node("ExpBackward0", "output", lambda g, y: g * y)
Exp2Backward0 = _node("Exp2Backward0", "output", lambda g, y: g * y * _LN2)
Expm1Backward0 = _node("Expm1Backward0", "output", lambda g, y: g * (y + 1))
LogBackward0 = _node("LogBackward0", "input", lambda g, x: g / x)
Log2Backward0 = _node("Log2Backward0", "input", lambda g, x: g / (x * _LN2))
Log10Backward0 = _node("Log10Backward0", "input", lambda g, x: g / (x * _LN10))
Log1PBackward0 = _node("Log1PBackward0", "input", lambda g, x: g / (x + 1))
SqrtBackward0 = _node("SqrtBackward0", "output", lambda g, y: g / (2 * y))
RsqrtBackward0 = _node("RsqrtBackward0", "output", lambda g, y: g * y ** 3 * -0.5)
ReciprocalBackward0 = _node("ReciprocalBackward0", "output", lambda g, y: -g * y * y)

exp = _float_op("exp", np.exp, ExpBackward0, "``e ** x`` elementwise. (*) -> (*).")
exp2 = _float_op("exp2", np.exp2, Exp2Backward0, "``2 ** x`` elementwise. (*) -> (*).")
expm1 = _float_op(
    "expm1", np.expm1, Expm1Backward0, "``exp(x) - 1``, accurate for tiny ``x``. (*) -> (*)."
)
log = _float_op("log", np.log, LogBackward0, "Natural logarithm; -inf at 0, NaN below. (*) -> (*).")
log2 = _float_op("log2", np.log2, Log2Backward0, "Base-2 logarithm. (*) -> (*).")
log10 = _float_op("log10", np.log10, Log10Backward0, "Base-10 logarithm. (*) -> (*).")
log1p = _float_op(
    "log1p", np.log1p, Log1PBackward0, "``log(1 + x)``, accurate for tiny ``x``. (*) -> (*)."
)
sqrt = _float_op("sqrt", np.sqrt, SqrtBackward0, "Square root; NaN for negatives. (*) -> (*).")
rsqrt = _float_op(
    "rsqrt", lambda x: np.reciprocal(np.sqrt(x)), RsqrtBackward0, "``1 / sqrt(x)``. (*) -> (*)."
)
reciprocal = _float_op(
    "reciprocal", np.reciprocal, ReciprocalBackward0, "``1 / x``; integers give floats. (*) -> (*)."
)

# ---- trigonometric, hyperbolic, sigmoid, erf -------------------------------------------------
SinBackward0 = _node("SinBackward0", "input", lambda g, x: g * cos(x))
CosBackward0 = _node("CosBackward0", "input", lambda g, x: g * -sin(x))
TanBackward0 = _node("TanBackward0", "output", lambda g, y: g * (1 + y * y))
AsinBackward0 = _node("AsinBackward0", "input", lambda g, x: g * rsqrt(1 - x * x))
AcosBackward0 = _node("AcosBackward0", "input", lambda g, x: g * -rsqrt(1 - x * x))
AtanBackward0 = _node("AtanBackward0", "input", lambda g, x: g / (1 + x * x))
SinhBackward0 = _node("SinhBackward0", "input", lambda g, x: g * cosh(x))
CoshBackward0 = _node("CoshBackward0", "input", lambda g, x: g * sinh(x))
TanhBackward0 = _node("TanhBackward0", "output", lambda g, y: g * (1 - y * y))
SigmoidBackward0 = _node("SigmoidBackward0", "output", lambda g, y: g * y * (1 - y))
ErfBackward0 = _node(
    "ErfBackward0", "input", lambda g, x: g * (2 / math.sqrt(math.pi)) * exp(-(x * x))
)


def _sigmoid(x):
    e = np.negative(x)
    if type(e) is not np.ndarray:  # 0-d: NumPy scalars have no out=
        return 1 / (1 + np.exp(e))
    np.exp(e, out=e)  # exp(-x) overflows to inf for very negative x: sigmoid is then 0
    e += 1
    return np.reciprocal(e, out=e)


_erf_each = np.frompyfunc(math.erf, 1, 1)


def _erf(x):
    return np.asarray(_erf_each(x), dtype=x.dtype)


sin = _float_op("sin", np.sin, SinBackward0, "Sine of radians. (*) -> (*).", quiet=False)
cos = _float_op("cos", np.cos, CosBackward0, "Cosine of radians. (*) -> (*).", quiet=False)
tan = _float_op("tan", np.tan, TanBackward0, "Tangent of radians. (*) -> (*).", quiet=False)
asin = _float_op("asin", np.arcsin, AsinBackward0, "Inverse sine, in [-pi/2, pi/2]. (*) -> (*).")
acos = _float_op("acos", np.arccos, AcosBackward0, "Inverse cosine, in [0, pi]. (*) -> (*).")
atan = _float_op(
    "atan", np.arctan, AtanBackward0, "Inverse tangent, in (-pi/2, pi/2). (*) -> (*).", False
)
sinh = _float_op("sinh", np.sinh, SinhBackward0, "Hyperbolic sine. (*) -> (*).")
cosh = _float_op("cosh", np.cosh, CoshBackward0, "Hyperbolic cosine. (*) -> (*).")
tanh = _float_op(
    "tanh", np.tanh, TanhBackward0, "Hyperbolic tangent, in (-1, 1). (*) -> (*).", False
)
sigmoid = _float_op(
    "sigmoid", _sigmoid, SigmoidBackward0, "The logistic ``1 / (1 + exp(-x))``, in (0, 1)."
)
erf = _float_op(
    "erf", _erf, ErfBackward0, "The error function ``2/sqrt(pi) * integral_0^x exp(-t^2) dt``."
)


def _sigmoid_into(x):  # x.sigmoid_() of a float array, computed in its own memory
    with np.errstate(over="ignore"):
        np.exp(np.negative(x, out=x), out=x)
    x += 1
    np.reciprocal(x, out=x)
    return True


sigmoid.into = _sigmoid_into
