"""Transcendental pointwise ops: exponentials and logarithms, square roots, trigonometric and
hyperbolic functions, sigmoid and erf.

Each maps every element on its own: ``(*) -> (*)``. Integer and bool tensors become the default
float dtype (``exp(int_tensor)`` is float32), as in torch. Each op is built by ``float_op`` (see
``_unary.py``) right under its backward ``Node``, named as torch names its grad_fn.
"""

from __future__ import annotations

import importlib
import math

import numpy as np

from .. import _array, _parallel
from .._tensor import _wrap
from ..autograd import grad_mode
from ..autograd.graph import Node, attach
from ._checks import bind_methods, negate_into
from ._inplace import inplace_forms, write_out
from ._unary import SavesInput, float_data, float_op
from .comparison import where

_LN2, _LN10 = math.log(2.0), math.log(10.0)
nan = math.nan


# ---- exponentials and logarithms -------------------------------------------------------------
class ExpBackward0(Node):
    """d/dx e^x = e^x: the output itself."""

    keeps_output = True

    def backward(self, grad):
        y = self.saved_output
        return grad * y


exp = float_op("exp", np.exp, ExpBackward0, "``e ** x`` elementwise. (*) -> (*).")


class Exp2Backward0(Node):
    """d/dx 2^x = 2^x ln 2."""

    keeps_output = True

    def backward(self, grad):
        y = self.saved_output
        return grad * y * _LN2


exp2 = float_op("exp2", np.exp2, Exp2Backward0, "``2 ** x`` elementwise. (*) -> (*).")


class Expm1Backward0(Node):
    """d/dx (e^x - 1) = e^x = y + 1."""

    keeps_output = True

    def backward(self, grad):
        y = self.saved_output
        return grad * (y + 1)


expm1 = float_op(
    "expm1", np.expm1, Expm1Backward0, "``exp(x) - 1``, accurate for tiny ``x``. (*) -> (*)."
)


class LogBackward0(SavesInput):
    """d/dx ln x = 1 / x."""

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad / x


log = float_op("log", np.log, LogBackward0, "Natural logarithm; -inf at 0, NaN below. (*) -> (*).")


class Log2Backward0(SavesInput):
    """d/dx log2 x = 1 / (x ln 2)."""

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad / (x * _LN2)


log2 = float_op("log2", np.log2, Log2Backward0, "Base-2 logarithm. (*) -> (*).")


class Log10Backward0(SavesInput):
    """d/dx log10 x = 1 / (x ln 10)."""

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad / (x * _LN10)


log10 = float_op("log10", np.log10, Log10Backward0, "Base-10 logarithm. (*) -> (*).")


class Log1PBackward0(SavesInput):
    """d/dx ln(1 + x) = 1 / (1 + x)."""

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad / (x + 1)


log1p = float_op(
    "log1p", np.log1p, Log1PBackward0, "``log(1 + x)``, accurate for tiny ``x``. (*) -> (*)."
)


class SqrtBackward0(Node):
    """d/dx sqrt(x) = 1 / (2 sqrt(x))."""

    keeps_output = True

    def backward(self, grad):
        y = self.saved_output
        return grad / (2 * y)


sqrt = float_op("sqrt", np.sqrt, SqrtBackward0, "Square root; NaN for negatives. (*) -> (*).")


class RsqrtBackward0(Node):
    """d/dx x^(-1/2) = -x^(-3/2) / 2 = -y^3 / 2."""

    keeps_output = True

    def backward(self, grad):
        y = self.saved_output
        return grad * y ** 3 * -0.5


rsqrt = float_op(
    "rsqrt", lambda x: np.reciprocal(np.sqrt(x)), RsqrtBackward0, "``1 / sqrt(x)``. (*) -> (*)."
)


class ReciprocalBackward0(Node):
    """d/dx 1/x = -1/x^2 = -y^2."""

    keeps_output = True

    def backward(self, grad):
        y = self.saved_output
        return -grad * y * y


reciprocal = float_op(
    "reciprocal", np.reciprocal, ReciprocalBackward0, "``1 / x``; integers give floats. (*) -> (*)."
)


# ---- trigonometric, hyperbolic, sigmoid, erf -------------------------------------------------
class SinBackward0(SavesInput):
    """d/dx sin x = cos x."""

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad * cos(x)


sin = float_op("sin", np.sin, SinBackward0, "Sine of radians. (*) -> (*).", quiet=False)


class CosBackward0(SavesInput):
    """d/dx cos x = -sin x."""

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad * -sin(x)


cos = float_op("cos", np.cos, CosBackward0, "Cosine of radians. (*) -> (*).", quiet=False)


class TanBackward0(Node):
    """d/dx tan x = 1 + tan^2 x."""

    keeps_output = True

    def backward(self, grad):
        y = self.saved_output
        return grad * (1 + y * y)


tan = float_op("tan", np.tan, TanBackward0, "Tangent of radians. (*) -> (*).", quiet=False)


class AsinBackward0(SavesInput):
    """d/dx asin x = 1 / sqrt(1 - x^2)."""

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad * rsqrt(1 - x * x)


asin = float_op("asin", np.arcsin, AsinBackward0, "Inverse sine, in [-pi/2, pi/2]. (*) -> (*).")


class AcosBackward0(SavesInput):
    """d/dx acos x = -1 / sqrt(1 - x^2)."""

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad * -rsqrt(1 - x * x)


acos = float_op("acos", np.arccos, AcosBackward0, "Inverse cosine, in [0, pi]. (*) -> (*).")


class AtanBackward0(SavesInput):
    """d/dx atan x = 1 / (1 + x^2)."""

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad / (1 + x * x)


atan = float_op(
    "atan", np.arctan, AtanBackward0, "Inverse tangent, in (-pi/2, pi/2). (*) -> (*).", False
)


class SinhBackward0(SavesInput):
    """d/dx sinh x = cosh x."""

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad * cosh(x)


sinh = float_op("sinh", np.sinh, SinhBackward0, "Hyperbolic sine. (*) -> (*).")


class CoshBackward0(SavesInput):
    """d/dx cosh x = sinh x."""

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad * sinh(x)


cosh = float_op("cosh", np.cosh, CoshBackward0, "Hyperbolic cosine. (*) -> (*).")


class TanhBackward0(Node):
    """d/dx tanh x = 1 - tanh^2 x."""

    keeps_output = True

    def backward(self, grad):
        y = self.saved_output
        return grad * (1 - y * y)


tanh = float_op(
    "tanh", np.tanh, TanhBackward0, "Hyperbolic tangent, in (-1, 1). (*) -> (*).", False
)


def _sigmoid_into(x, out):
    np.negative(x, out=out)
    np.exp(out, out=out)  # exp(-x) overflows to inf for very negative x: sigmoid is then 0
    out += 1
    np.divide(1, out, out=out)  # the same correctly rounded 1/x as np.reciprocal, in half the time


def _sigmoid(x):
    if x.ndim == 0:  # NumPy scalars have no out=
        return 1 / (1 + np.exp(np.negative(x)))
    if type(x) is not np.ndarray:  # a GPU array: one pass per step, no host thread blocks
        out = np.empty_like(x)
        _sigmoid_into(x, out)
        return out
    out = np.empty(x.shape, x.dtype)
    if 2 * x.size >= _parallel.MIN_COST or _parallel.forced_split:
        # four passes: big tensors block by block (in cache), on the kernel pool
        return _parallel.elementwise(_sigmoid_into, out, x)
    _sigmoid_into(x, out)
    return out


def _sigmoid_grad_into(g, y, out):
    np.subtract(1, y, out=out)
    out *= g
    out *= y


class SigmoidBackward0(Node):
    """d/dx s(x) = s(x) (1 - s(x)): the gradient is ``grad * (1 - y) * y``."""

    keeps_output = True

    def backward(self, grad):
        y = self.saved_output
        g, yd = grad._data, y._data
        if (not grad_mode.state.enabled and g.shape == yd.shape and g.dtype == yd.dtype
                and type(yd) is np.ndarray and type(g) is np.ndarray):
            out = np.empty(yd.shape, yd.dtype)
            if 3 * yd.size >= _parallel.MIN_COST or _parallel.forced_split:
                return _wrap(_parallel.elementwise(_sigmoid_grad_into, out, g, yd))
            _sigmoid_grad_into(g, yd, out)
            return _wrap(out)
        return grad * (1 - y) * y


sigmoid = float_op(
    "sigmoid", _sigmoid, SigmoidBackward0, "The logistic ``1 / (1 + exp(-x))``, in (0, 1)."
)


def _sigmoid_in_place(x):  # x.sigmoid_() of a float array, computed in its own memory
    with np.errstate(over="ignore"):
        np.exp(negate_into(x), out=x)
    x += 1
    np.divide(1, x, out=x)
    return True


sigmoid.into = _sigmoid_in_place


_erf_each = np.frompyfunc(math.erf, 1, 1)


def _on_device(name: str, x):
    """``name`` (``"erf"``, ``"erfinv"``) of the GPU array ``x``: CuPy's own kernel
    (``cupyx.scipy.special``); where the device library has none (the test double), NumPy's
    path below runs on a host copy and the result goes back to the GPU."""
    try:
        special = importlib.import_module(_array.cuda().xpx.__name__ + ".scipy.special")
    except ImportError:
        return _array.like(x, _HOST[name](_array.to_host(x)))
    if x.dtype == np.float16:  # computed in float32, as torch's half kernels do
        return getattr(special, name)(x.astype(np.float32)).astype(np.float16)
    return getattr(special, name)(x)


def erfc_nonneg(z: np.ndarray) -> np.ndarray:
    """erfc(z) for z >= 0 by the Chebyshev-fitted formula of Numerical Recipes (erfcc): relative
    error below 1.2e-7 everywhere, i.e. float32-exact, tails included."""
    t = 1 / (1 + 0.5 * z)
    poly = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (
        -0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (
            -0.82215223 + t * 0.17087277))))))))
    return t * np.exp(-z * z + poly)


def _erf(x):
    """erf of a float array: exact (``math.erf`` per element) in float64; below float64, one
    vectorised pass in float64, accurate to float32's precision: the Maclaurin series
    ``2/√π Σ (-1)ⁿ z^(2n+1) / (n! (2n+1))`` where ``|z| < 0.5`` (no cancellation near 0), and
    ``1 - erfc(|z|)`` with the sign of z elsewhere."""
    if type(x) is not np.ndarray:
        return _on_device("erf", x)
    if x.dtype == np.float64 or x.dtype.kind == "c":
        return np.asarray(_erf_each(x), dtype=x.dtype)
    z = x.astype(np.float64)
    with np.errstate(invalid="ignore"):
        res = np.sign(z) * (1 - erfc_nonneg(np.abs(z)))
    res, z = np.atleast_1d(res), np.atleast_1d(z)  # 0-d: NumPy gives scalars, not arrays
    near0 = np.abs(z) < 0.5
    if near0.any():
        w = z[near0]
        term, total, w2 = w.copy(), w.copy(), w * w
        for n in range(1, 10):  # the 10th term is below 1e-10 of the first for |z| < 0.5
            term *= -w2 / n
            total += term / (2 * n + 1)
        res[near0] = total * (2 / math.sqrt(math.pi))
    return res.reshape(x.shape).astype(x.dtype)


class ErfBackward0(SavesInput):
    """d/dx erf x = 2 / sqrt(pi) e^(-x^2)."""

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad * (2 / math.sqrt(math.pi)) * exp(-(x * x))


erf = float_op(
    "erf", _erf, ErfBackward0, "The error function ``2/sqrt(pi) * integral_0^x exp(-t^2) dt``."
)


# ---- erfinv, logit, angle units --------------------------------------------------------------
def _erfinv(y):
    """The inverse of erf on a float array: Giles' polynomial approximation ("Approximating the
    erfinv function", 2010) as the first guess, then two Newton steps on erf(x) - y in float64;
    ±1 give ±inf, |y| > 1 and NaN give NaN."""
    if type(y) is not np.ndarray:
        return _on_device("erfinv", y)
    z = np.atleast_1d(y.astype(np.float64))  # 0-d: NumPy would give scalars, not arrays
    with np.errstate(all="ignore"):
        w = -np.log((1 - z) * (1 + z))
        near = w < 5
        c = np.where(near, w - 2.5, np.sqrt(w) - 3)
        p = np.where(near, 2.81022636e-08, -0.000200214257)
        for a, b in ((3.43273939e-07, 0.000100950558), (-3.5233877e-06, 0.00134934322),
                     (-4.39150654e-06, -0.00367342844), (0.00021858087, 0.00573950773),
                     (-0.00125372503, -0.0076224613), (-0.00417768164, 0.00943887047),
                     (0.246640727, 1.00167406), (1.50140941, 2.83297682)):
            p = np.where(near, a, b) + p * c
        x = p * z
        inner = np.isfinite(x)
        for _ in range(2):
            xi = x[inner]
            step = (np.asarray(_erf_each(xi), dtype=np.float64) - z[inner]) / (
                (2 / math.sqrt(math.pi)) * np.exp(-xi * xi))
            x[inner] = xi - step
        x = np.where(np.abs(z) == 1, np.copysign(np.inf, z), x)
        x = np.where(np.abs(z) > 1, np.nan, x)
    return np.asarray(x, dtype=y.dtype).reshape(y.shape)


_HOST = {"erf": _erf, "erfinv": _erfinv}


class ErfinvBackward0(Node):
    """d/dy erfinv(y) = sqrt(pi) / 2 * exp(erfinv(y)^2): from the output x = erfinv(y)."""

    keeps_output = True

    def backward(self, grad):
        x = self.saved_output
        return grad * (math.sqrt(math.pi) / 2) * exp(x * x)


erfinv = float_op(
    "erfinv", _erfinv, ErfinvBackward0,
    "The inverse error function: ``erf(erfinv(y)) == y`` for y in (-1, 1); ±inf at ±1, NaN "
    "outside. (*) -> (*).",
)


class LogitBackward0(SavesInput):
    """d/dp log(p / (1 - p)) = 1 / (p (1 - p)); with ``eps``, 0 where p was clamped, else NaN
    outside [0, 1]."""

    def __init__(self, input, *, eps=None):
        super().__init__(input)
        self.eps = eps

    def backward(self, grad):
        (p,) = self.saved_tensors
        lo, hi = (0.0, 1.0) if self.eps is None else (self.eps, 1.0 - self.eps)
        outside = (p < lo).logical_or(p > hi)
        return where(outside, 0.0 if self.eps is not None else nan, grad / (p * (1 - p)))


def logit(input, eps: float | None = None, *, out=None):
    """The log-odds ``log(p / (1 - p))``, the inverse of ``sigmoid``; with ``eps``, p is first
    clamped to [eps, 1 - eps] so 0 and 1 stay finite. (*) -> (*), integers become floats."""
    p = float_data(input, "logit")
    with np.errstate(all="ignore"):
        if eps is not None:
            p = np.clip(p, eps, 1 - eps)
        res = np.log(p / (1 - p))
    res = _wrap(res.astype(p.dtype, copy=False))
    if input._rg and grad_mode.state.enabled:
        attach(res, LogitBackward0, input, eps=eps)
    return res if out is None else write_out(res, out)


_DEG = math.pi / 180


class Deg2RadBackward0(Node):
    """d/dx (x pi / 180) = pi / 180."""

    def backward(self, grad):
        return grad * _DEG


class Rad2DegBackward0(Node):
    """d/dx (x 180 / pi) = 180 / pi."""

    def backward(self, grad):
        return grad * (1 / _DEG)


deg2rad = float_op("deg2rad", lambda x: x * x.dtype.type(_DEG), Deg2RadBackward0,
                   "Degrees to radians: ``x * pi / 180``. (*) -> (*).")
rad2deg = float_op("rad2deg", lambda x: x * x.dtype.type(1 / _DEG), Rad2DegBackward0,
                   "Radians to degrees: ``x * 180 / pi``. (*) -> (*).")


# ---- in-place forms, aliases, Tensor methods, exports ----------------------------------------
exp_, exp2_, expm1_, log_, log2_, log10_, log1p_ = inplace_forms(
    exp, exp2, expm1, log, log2, log10, log1p
)
sqrt_, rsqrt_, reciprocal_, erf_, sigmoid_ = inplace_forms(sqrt, rsqrt, reciprocal, erf, sigmoid)
erfinv_, logit_, deg2rad_, rad2deg_ = inplace_forms(erfinv, logit, deg2rad, rad2deg)
sin_, cos_, tan_, asin_, acos_, atan_, sinh_, cosh_, tanh_ = inplace_forms(
    sin, cos, tan, asin, acos, atan, sinh, cosh, tanh
)
arcsin, arccos, arctan, arcsin_, arccos_, arctan_ = asin, acos, atan, asin_, acos_, atan_

_FUNCTIONS = {f.__name__: f for f in (
    exp, exp2, expm1, log, log2, log10, log1p, sqrt, rsqrt, reciprocal, erf, sin, cos, tan, asin,
    acos, atan, sinh, cosh, tanh, sigmoid, erfinv, logit, deg2rad, rad2deg,
)}
_FUNCTIONS.update(arcsin=arcsin, arccos=arccos, arctan=arctan)
_INPLACE = {f.__name__: f for f in (
    exp_, exp2_, expm1_, log_, log2_, log10_, log1p_, sqrt_, rsqrt_, reciprocal_, erf_, sin_, cos_,
    tan_, asin_, acos_, atan_, sinh_, cosh_, tanh_, sigmoid_, logit_, deg2rad_, rad2deg_,
)}
_INPLACE.update(arcsin_=arcsin_, arccos_=arccos_, arctan_=arctan_)
bind_methods(_FUNCTIONS, _INPLACE, dict(erfinv_=erfinv_))  # torch has no torch.erfinv_

__all__ = list(_FUNCTIONS) + list(_INPLACE)
