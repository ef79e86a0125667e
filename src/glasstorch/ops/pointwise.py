"""Pointwise math: exp, log, sqrt, trigonometry, rounding, relu, sigmoid, clamp and friends.

Every op here maps each element on its own, so a ``(*)``-shaped input gives a ``(*)``-shaped output
(binary ones broadcast: ``(3, 1)`` with ``(4,)`` gives ``(3, 4)``). The dtype rules are torch's:
transcendental ops (``exp``, ``log``, ``sin``, ``sigmoid``, ...) turn integer and bool tensors into
the default float dtype; ``abs``, ``sign``, ``relu``, ``floor`` and friends keep integer dtypes.

Each op is built next to its backward ``Node`` (torch's grad_fn name). For the one-input ops the
node is made by ``_node(name, keep, formula)``: ``keep`` says what the derivative needs, the op's
``"input"`` x or its ``"output"`` y (``exp``'s derivative is its own output), and ``formula(g, v)``
turns the incoming gradient ``g`` into the input's gradient, e.g. ``g * y`` for ``exp``.

The comparisons, logical ops, ``where``, ``maximum`` and ``clamp`` live in ``comparison.py`` and
are re-exported from here.
"""

from __future__ import annotations

import math

import numpy as np

from .. import _dtype
from .._tensor import Tensor, _wrap
from ..autograd import grad_mode
from ..autograd.graph import Node
from . import comparison
from ._broadcast import broadcast_error, unbroadcast
from ._inplace import _dtype_name
from ._promote import float_operands, operands
from .arithmetic import pow as _pow
from .comparison import *  # noqa: F401,F403  (re-exported: glasstorch.where, glasstorch.eq, ...)
from .comparison import (
    _as_input,
    _out,
    _record,
    _shape,
    eq,
    ge,
    gt,
    inplace_of,
    isfinite,
    isnan,
    le,
    logical_and,
    logical_or,
    lt,
    not_tensor,
    where,
)

_DEFAULT = _dtype._default  # ``_DEFAULT.float``: the dtype integer inputs become


def _float_data(input, op: str) -> np.ndarray:
    """``input``'s array, as the default float dtype if it holds integers or bools."""
    try:
        x = input._data
    except AttributeError:
        raise not_tensor(op, input) from None
    return x if x.dtype.kind in "fc" else x.astype(_DEFAULT.float.np)


def _finish(res, input, node, out):
    """Wrap a result array; if ``input`` requires grad, attach ``node`` (saving what it keeps)."""
    if type(res) is not np.ndarray:  # NumPy gives a scalar for a 0-d input
        res = np.asarray(res)
    res = _wrap(res)
    if input._rg and grad_mode.state.enabled:
        res._rg = True
        fn = node(input)
        if node.keep == "input":
            fn.save(input)
        elif node.keep == "output":
            fn.save_output(res)
        res._grad_fn = fn
    return res if out is None else _out(res, out)


def _float_op(name: str, compute, node, doc: str, quiet: bool = True):
    """A float op ``name(input, *, out=None)``: ``compute`` on the (float) array, then ``node``.

    ``quiet``: the op can overflow or leave its domain (``log(-1)``), where torch silently gives
    inf or NaN; NumPy's warnings are silenced for it (which costs ~1 us, so only where needed).
    """
    if not quiet:

        def op(input, *, out=None):
            return _finish(compute(_float_data(input, name)), input, node, out)

    else:

        def op(input, *, out=None):
            x = _float_data(input, name)
            with np.errstate(all="ignore"):
                res = compute(x)
            return _finish(res, input, node, out)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    if isinstance(compute, np.ufunc):  # the in-place form can then write into the array itself
        op.into = _into(compute, quiet)
    return op


def _into(ufunc, quiet: bool):
    """The fast path of ``x.exp_()`` and friends: the ufunc writes into the float array itself."""

    def into(x):
        if quiet:
            with np.errstate(all="ignore"):
                ufunc(x, out=x)
        else:
            ufunc(x, out=x)
        return True

    return into


def _node(name: str, keep: str | None, formula, doc: str = ""):
    """A ``Node`` class called ``name`` whose backward is ``formula(grad, saved)``: ``saved`` is the
    op's input (``keep="input"``) or output (``keep="output"``). Formulas use glasstorch ops, so
    ``create_graph=True`` differentiates them again."""

    def backward(self, grad):
        if keep == "output":
            return formula(grad, self.saved_output)
        return formula(grad, self.saved_tensors[0] if keep else None)

    return type(name, (Node,), {"keep": keep, "backward": backward, "__doc__": doc,
                                "__module__": __name__})


def _zeros_like(grad, _=None):
    return _wrap(np.zeros_like(grad._data))


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


# ---- ops that keep integer dtypes: abs, sign, relu, rounding, square -------------------------
def _checked(input, op: str, kernel: str, floats_only: bool = False) -> np.ndarray:
    """``input``'s array, refused (as torch's kernels refuse it) if bool, or not float when
    ``floats_only``."""
    try:
        x = input._data
    except AttributeError:
        raise not_tensor(op, input) from None
    if x.dtype.kind == "b" or (floats_only and x.dtype.kind not in "fc"):
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_dtype_name(x.dtype)}'")
    return x


AbsBackward0 = _node("AbsBackward0", "input", lambda g, x: g * sign(x))
SignBackward0 = _node("SignBackward0", None, _zeros_like, "Sign is flat: the gradient is 0.")
ReluBackward0 = _node("ReluBackward0", "output", lambda g, y: where(gt(y, 0), g, 0.0))
FloorBackward0 = _node("FloorBackward0", None, _zeros_like)
CeilBackward0 = _node("CeilBackward0", None, _zeros_like)
TruncBackward0 = _node("TruncBackward0", None, _zeros_like)
RoundBackward0 = _node("RoundBackward0", None, _zeros_like)
RoundBackward1 = _node("RoundBackward1", None, _zeros_like, "round with ``decimals``.")
FracBackward0 = _node("FracBackward0", None, lambda g, _: g)
NanToNumBackward0 = _node("NanToNumBackward0", "input", lambda g, x: where(isfinite(x), g, 0.0))


def abs(input, *, out=None) -> Tensor:
    """``|x|``, keeping the dtype (integers stay integers; bool is refused). (*) -> (*)."""
    return _finish(np.abs(_checked(input, "abs", "abs_cpu")), input, AbsBackward0, out)


def sign(input, *, out=None) -> Tensor:
    """-1, 0 or 1 by the sign of each element (0 for NaN), in the input's dtype. (*) -> (*)."""
    try:
        x = input._data
    except AttributeError:
        raise not_tensor("sign", input) from None
    res = x.copy() if x.dtype.kind == "b" else np.subtract(x > 0, x < 0, dtype=x.dtype)
    return _finish(res, input, SignBackward0, out)


def relu(input) -> Tensor:
    """``max(x, 0)``: negatives become 0, integer dtypes are kept. (*) -> (*)."""
    try:
        x = input._data
    except AttributeError:
        raise not_tensor("relu", input) from None
    if x.dtype.kind == "b":
        raise RuntimeError("Boolean inputs not supported for relu")
    return _finish(np.maximum(x, 0), input, ReluBackward0, None)


def _rounding(name, ufunc, node):
    def op(input, *, out=None):
        x = _checked(input, name, f"{name}_vml_cpu")
        return _finish(ufunc(x) if x.dtype.kind in "fc" else x.copy(), input, node, out)

    op.__name__ = op.__qualname__ = name
    return op


floor = _rounding("floor", np.floor, FloorBackward0)
floor.__doc__ = "The largest integer <= x, in the input's dtype (integers unchanged). (*) -> (*)."
ceil = _rounding("ceil", np.ceil, CeilBackward0)
ceil.__doc__ = "The smallest integer >= x, in the input's dtype. (*) -> (*)."
trunc = _rounding("trunc", np.trunc, TruncBackward0)
trunc.__doc__ = "x rounded toward zero, in the input's dtype. (*) -> (*)."


def round(input, *, decimals: int = 0, out=None) -> Tensor:
    """Round to the nearest integer, ties to even (``round(2.5) == 2``), or to ``decimals``
    decimal places (negative: tens, hundreds). (*) -> (*)."""
    if decimals == 0:
        x = _checked(input, "round", "round_vml_cpu")
        res = np.rint(x) if x.dtype.kind in "fc" else x.copy()
        return _finish(res, input, RoundBackward0, out)
    x = _checked(input, "round", "round_cpu", floats_only=True)
    with np.errstate(all="ignore"):  # x * 10**decimals may overflow
        res = np.round(x, decimals)
    return _finish(res, input, RoundBackward1, out)


def frac(input, *, out=None) -> Tensor:
    """The fractional part ``x - trunc(x)`` (sign of x kept); floats only. (*) -> (*)."""
    x = _checked(input, "frac", "frac_cpu", floats_only=True)
    with np.errstate(invalid="ignore"):  # inf - inf
        res = x - np.trunc(x)
    return _finish(res, input, FracBackward0, out)


def square(input, *, out=None) -> Tensor:
    """``x * x`` (recorded as ``x ** 2``, PowBackward0); bool becomes int64. (*) -> (*)."""
    if not isinstance(input, Tensor):
        raise not_tensor("square", input)
    return _pow(input, 2, out=out)


def nan_to_num(input, nan: float = 0.0, posinf=None, neginf=None, *, out=None) -> Tensor:
    """NaN -> ``nan``, +inf -> ``posinf``, -inf -> ``neginf`` (default: the dtype's largest and
    smallest finite values). Integer tensors are returned unchanged (copied)."""
    try:
        x = input._data
    except AttributeError:
        raise not_tensor("nan_to_num", input) from None
    if x.dtype.kind in "fc":
        res = np.nan_to_num(x, copy=True, nan=nan, posinf=posinf, neginf=neginf)
    else:
        res = x.copy()
    return _finish(res, input, NanToNumBackward0, out)


# ---- two-input ops: atan2, xlogy, lerp --------------------------------------------------------
def _tensors(op: str, a, b):
    if not isinstance(a, Tensor):
        raise not_tensor(op, a)
    if not isinstance(b, Tensor):
        raise not_tensor(op, b, "other", 2)


def _binary(ufunc, x, y, a, b):
    try:
        return ufunc(x, y)
    except ValueError:
        raise broadcast_error(_shape(a), _shape(b)) from None


def atan2(input, other, *, out=None) -> Tensor:
    """The angle of the point ``(x=other, y=input)`` in (-pi, pi], broadcasting. Both tensors."""
    _tensors("atan2", input, other)
    x, y = float_operands(input, other)
    return _out(_record(_binary(np.arctan2, x, y, input, other), Atan2Backward0, input, other), out)


class Atan2Backward0(Node):
    """d atan2(a, b) = (b da - a db) / (a^2 + b^2), taken as 0 where a = b = 0."""

    def __init__(self, a, b):
        super().__init__(a, b)
        self.save(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        ga, gb = self.needs_input_grad
        r = reciprocal(a * a + b * b)
        r = where(comparison.isinf(r), 0.0, r)
        return (
            unbroadcast(grad * b * r, a._data.shape) if ga else None,
            unbroadcast(grad * -a * r, b._data.shape) if gb else None,
        )


def xlogy(input, other, *, out=None) -> Tensor:
    """``x * log(y)``, but 0 where ``x == 0`` (unless y is NaN): the entropy-style term that stays
    finite at 0 * log(0). Either operand may be a number; the result is floating point."""
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise not_tensor("xlogy", input)
    x, y = float_operands(input, other)
    with np.errstate(all="ignore"):
        prod = _binary(np.multiply, x, np.log(y), input, other)
    res = np.where((x == 0) & ~np.isnan(y), 0, prod).astype(np.result_type(x, y), copy=False)
    if not isinstance(input, Tensor):
        node = XlogyBackward1
    elif not isinstance(other, Tensor):
        node = XlogyBackward2
    else:
        node = XlogyBackward0
    return _out(_record(res, node, input, other), out)


def _xlogy_grads(grad, a, b, ga, gb):
    """d/da = log(b) (0 where a == 0 and b <= 0); d/db = a / b."""
    g_a = g_b = None
    if ga:
        g_a = xlogy(grad, b)
        g_a = unbroadcast(where(logical_and(comparison.eq(a, 0), le(b, 0)), 0.0, g_a), _shape(a))
    if gb:
        g_b = unbroadcast(grad * a / b, _shape(b))
    return g_a, g_b


class XlogyBackward0(Node):
    def __init__(self, a, b):
        super().__init__(a, b)
        self.save(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        return _xlogy_grads(grad, a, b, *self.needs_input_grad)


class XlogyBackward1(Node):
    """``xlogy(number, tensor)``: only the tensor ``other`` gets a gradient."""

    def __init__(self, a, b):
        super().__init__(b)
        self.save(b)
        self.a = a

    def backward(self, grad):
        return _xlogy_grads(grad, _as_input(self.a), self.saved_tensors[0], False, True)[1]


class XlogyBackward2(Node):
    """``xlogy(tensor, number)``: only the tensor ``input`` gets a gradient."""

    def __init__(self, a, b):
        super().__init__(a)
        self.save(a)
        self.b = b

    def backward(self, grad):
        return _xlogy_grads(grad, self.saved_tensors[0], _as_input(self.b), True, False)[0]


def lerp(input, end, weight, *, out=None) -> Tensor:
    """``input + weight * (end - input)``: linear interpolation, broadcasting. ``weight`` is a
    number or a tensor; all tensors must share ``input``'s floating dtype."""
    _tensors("lerp", input, end)
    x, e = input._data, end._data
    for what, t in (("end", end), ("weight", weight)):
        if isinstance(t, Tensor) and t._data.dtype != x.dtype:
            raise RuntimeError(
                f"expected dtype {_c_name(x.dtype)} for `{what}` but got dtype "
                f"{_c_name(t._data.dtype)}"
            )
    if x.dtype.kind not in "fc":
        kernel = "lerp_kernel_tensor" if isinstance(weight, Tensor) else "lerp_kernel_scalar"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_dtype_name(x.dtype)}'")
    w = weight._data if isinstance(weight, Tensor) else weight
    try:
        diff = e - x
        # the two forms agree mathematically; each is exact at its own end (w = 0 or w = 1)
        res = np.where(np.abs(w) < 0.5, x + w * diff, e - diff * (1 - w)).astype(x.dtype)
    except ValueError:
        raise broadcast_error(x.shape, e.shape, np.shape(w)) from None
    if isinstance(weight, Tensor):
        return _out(_record(res, LerpBackward1, input, end, weight), out)
    return _out(_record(res, LerpBackward0, input, end, weight), out)


def _c_name(dt) -> str:
    """The C++ type name torch's dtype-mismatch messages use."""
    return {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
            "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
            "bool": "bool"}.get(str(dt), str(dt))


class LerpBackward0(Node):
    """Number weight w: ``input`` gets grad * (1 - w), ``end`` gets grad * w."""

    def __init__(self, a, b, w):
        super().__init__(a, b)
        self.shapes, self.w = (a._data.shape, b._data.shape), w

    def backward(self, grad):
        ga, gb = self.needs_input_grad
        w = self.w
        return (
            unbroadcast(grad * (1 - w), self.shapes[0]) if ga else None,
            unbroadcast(grad * w, self.shapes[1]) if gb else None,
        )


class LerpBackward1(Node):
    """Tensor weight: also ``weight`` gets grad * (end - input)."""

    def __init__(self, a, b, w):
        super().__init__(a, b, w)
        self.save(a, b, w)

    def backward(self, grad):
        a, b, w = self.saved_tensors
        ga, gb, gw = self.needs_input_grad
        return (
            unbroadcast(grad * (1 - w), a._data.shape) if ga else None,
            unbroadcast(grad * w, b._data.shape) if gb else None,
            unbroadcast(grad * (b - a), w._data.shape) if gw else None,
        )


# ---- maximum / minimum / fmax / fmin ---------------------------------------------------------
def _binary_select(name, ufunc, node_cls):
    def op(input, other, *, out=None):
        if not isinstance(other, Tensor):
            raise not_tensor(name, other, "other", 2)
        if not isinstance(input, Tensor):
            raise not_tensor(name, input)
        x, y = operands(input, other)
        res = _wrap(np.asarray(_binary(ufunc, x, y, input, other)))
        if (input._rg or other._rg) and grad_mode.state.enabled:
            res._rg = True
            res._grad_fn = node_cls(input, other)
        return _out(res, out)

    op.__name__ = name
    return op


class _SelectBackward(Node):
    """Each element's gradient goes to ``input`` where ``to_a(a, b)``, else to ``other``."""

    def __init__(self, a, b):
        super().__init__(a, b)
        self.save(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        ga, gb = self.needs_input_grad
        to_a = self.to_a(a, b)
        return (
            unbroadcast(where(to_a, grad, 0.0), a._data.shape) if ga else None,
            unbroadcast(where(to_a, 0.0, grad), b._data.shape) if gb else None,
        )


class MaximumBackward0(_SelectBackward):
    """Each element's gradient goes to the larger operand; a tie splits it in halves."""

    loses = staticmethod(lt)  # ``a`` gets nothing where ``loses(a, b)``

    def backward(self, grad):
        a, b = self.saved_tensors
        ga, gb = self.needs_input_grad
        shared = where(eq(a, b), grad * 0.5, grad)
        return (
            unbroadcast(where(self.loses(a, b), 0.0, shared), a._data.shape) if ga else None,
            unbroadcast(where(self.loses(b, a), 0.0, shared), b._data.shape) if gb else None,
        )


class MinimumBackward0(MaximumBackward0):
    """Each element's gradient goes to the smaller operand; a tie splits it in halves."""

    loses = staticmethod(gt)


class FmaxBackward0(_SelectBackward):
    """All of each gradient goes to the operand fmax picked (``input`` on ties and NaN other)."""

    @staticmethod
    def to_a(a, b):
        return logical_or(ge(a, b), isnan(b))


class FminBackward0(FmaxBackward0):
    """All of each gradient goes to the operand fmin picked (``input`` on ties and NaN other)."""

    @staticmethod
    def to_a(a, b):
        return logical_or(le(a, b), isnan(b))


maximum = _binary_select("maximum", np.maximum, MaximumBackward0)
maximum.__doc__ = "The larger of each pair of elements, broadcasting; NaN if either is NaN."
minimum = _binary_select("minimum", np.minimum, MinimumBackward0)
minimum.__doc__ = "The smaller of each pair of elements, broadcasting; NaN if either is NaN."
fmax = _binary_select("fmax", np.fmax, FmaxBackward0)
fmax.__doc__ = "Like ``maximum`` but a NaN loses: fmax(nan, 1) is 1 (NaN only if both are)."
fmin = _binary_select("fmin", np.fmin, FminBackward0)
fmin.__doc__ = "Like ``minimum`` but a NaN loses: fmin(nan, 1) is 1 (NaN only if both are)."


# ---- in place --------------------------------------------------------------------------------
def _inplace_forms(*fns):
    return tuple(inplace_of(f, f.__name__ + "_", getattr(f, "into", None)) for f in fns)


def _sigmoid_into(x):  # x.sigmoid_() of a float array, computed in its own memory
    with np.errstate(over="ignore"):
        np.exp(np.negative(x, out=x), out=x)
    x += 1
    np.reciprocal(x, out=x)
    return True


sigmoid.into = _sigmoid_into
relu.into = lambda x: np.maximum(x, 0, out=x) is x


abs_, exp_, exp2_, expm1_, log_, log2_, log10_, log1p_ = _inplace_forms(
    abs, exp, exp2, expm1, log, log2, log10, log1p
)
sqrt_, rsqrt_, square_, reciprocal_, sign_, frac_, erf_ = _inplace_forms(
    sqrt, rsqrt, square, reciprocal, sign, frac, erf
)
sin_, cos_, tan_, asin_, acos_, atan_, sinh_, cosh_, tanh_ = _inplace_forms(
    sin, cos, tan, asin, acos, atan, sinh, cosh, tanh
)
sigmoid_, relu_, nan_to_num_, floor_, ceil_, round_, trunc_ = _inplace_forms(
    sigmoid, relu, nan_to_num, floor, ceil, round, trunc
)
atan2_, xlogy_, lerp_ = _inplace_forms(atan2, xlogy, lerp)

# ---- aliases, Tensor methods, exports --------------------------------------------------------
absolute, arcsin, arccos, arctan, arctan2, fix, sgn = abs, asin, acos, atan, atan2, trunc, sign
absolute_, arcsin_, arccos_, arctan_, arctan2_, fix_, sgn_ = (
    abs_, asin_, acos_, atan_, atan2_, trunc_, sign_
)

_FUNCTIONS = {f.__name__: f for f in (
    abs, exp, exp2, expm1, log, log2, log10, log1p, sqrt, rsqrt, square, reciprocal, sign, frac,
    erf, sin, cos, tan, asin, acos, atan, sinh, cosh, tanh, sigmoid, relu, nan_to_num, floor, ceil,
    round, trunc, atan2, xlogy, lerp, maximum, minimum, fmax, fmin,
)}
_FUNCTIONS.update(absolute=absolute, arcsin=arcsin, arccos=arccos, arctan=arctan,
                  arctan2=arctan2, fix=fix, sgn=sgn)
_INPLACE = {f.__name__: f for f in (
    abs_, exp_, exp2_, expm1_, log_, log2_, log10_, log1p_, sqrt_, rsqrt_, square_, reciprocal_,
    frac_, erf_, sin_, cos_, tan_, asin_, acos_, atan_, sinh_, cosh_, tanh_, sigmoid_, relu_,
    nan_to_num_, floor_, ceil_, round_, trunc_, xlogy_,
)}
_INPLACE.update(arcsin_=arcsin_, arccos_=arccos_, arctan_=arctan_, fix_=fix_)
_METHOD_ONLY = dict(  # torch has these as Tensor methods, not torch.* functions
    absolute_=absolute_, sign_=sign_, atan2_=atan2_, lerp_=lerp_, arctan2_=arctan2_, sgn_=sgn_
)
for _table in (_FUNCTIONS, _INPLACE, _METHOD_ONLY):
    for _name, _fn in _table.items():
        setattr(Tensor, _name, _fn)
Tensor.__abs__ = abs

__all__ = comparison.__all__ + list(_FUNCTIONS) + list(_INPLACE)
