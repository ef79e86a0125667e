"""Comparisons and selection: == < ..., NaN tests, closeness, where.

Comparisons promote their operands as arithmetic does (an int tensor ``< 2.5`` compares as floats)
and give ``bool`` tensors that never carry a ``grad_fn``. ``where`` is differentiable: the gradient
flows to whichever operand each output element came from. Shapes broadcast as in arithmetic:
``(3, 1)`` against ``(4,)`` gives ``(3, 4)``.

The logical and bitwise ops live in ``logical.py``, ``clamp``/``clip`` in ``clamping.py``;
``maximum``, ``minimum``, ``fmax`` and ``fmin`` are in ``pointwise_binary.py``; the operand checks
all of them share in ``_checks.py``.
"""

from __future__ import annotations

import warnings

import numpy as np

from .. import _array
from .._dtype import scalar_name
from .._errors import not_tensor
from .._tensor import Tensor, _wrap
from ..autograd.graph import Node, attach
from ._broadcast import broadcast_error, unbroadcast
from ._checks import OPERAND, binary, data_of, pair, shape_of
from ._inplace import inplace_of
from ._inplace import write_out as _out
from ._promote import one_device


# ---- comparisons: eq ne lt le gt ge ----------------------------------------------------------
def _comparison(name: str, ufunc):
    def op(input, other, *, out=None):
        x, y = pair(name, input, other)
        return _out(_wrap(binary(ufunc, x, y, input, other)), out)

    op.__name__ = name
    op.__doc__ = (
        f"Elementwise ``{ufunc.__name__}`` test of ``input`` and ``other`` (a tensor or a number),"
        " broadcasting: a bool tensor of the broadcast shape, never differentiable."
    )
    return op


eq = _comparison("eq", np.equal)
ne = _comparison("ne", np.not_equal)
lt = _comparison("lt", np.less)
le = _comparison("le", np.less_equal)
gt = _comparison("gt", np.greater)
ge = _comparison("ge", np.greater_equal)
not_equal, less, less_equal, greater, greater_equal = ne, lt, le, gt, ge


def _operator(fn):
    """``t < other`` etc.: NotImplemented for non-numbers so Python gives its own answer
    (``t == None`` is False, ``t < None`` a TypeError), as torch does."""

    def method(self, other):
        if isinstance(other, OPERAND):
            return fn(self, other)
        return NotImplemented

    method.__name__ = fn.__name__
    return method

# ---- NaN and infinity tests ------------------------------------------------------------------
def _all(x, truth: bool):
    """A bool array of ``x``'s shape holding ``truth``, in ``x``'s array library."""
    xp = np if type(x) is np.ndarray else _array.namespace(x)
    return xp.ones(x.shape, np.bool_) if truth else xp.zeros(x.shape, np.bool_)


def isnan(input) -> Tensor:
    """True where ``input`` is NaN; always False for integer and bool tensors."""
    x = data_of(input, "isnan")
    return _wrap(np.isnan(x) if x.dtype.kind in "fc" else _all(x, False))


def isinf(input) -> Tensor:
    """True where ``input`` is +inf or -inf."""
    x = data_of(input, "isinf")
    return _wrap(np.isinf(x) if x.dtype.kind in "fc" else _all(x, False))


def isfinite(input) -> Tensor:
    """True where ``input`` is neither NaN nor infinite (always, for integers and bools)."""
    x = data_of(input, "isfinite")
    return _wrap(np.isfinite(x) if x.dtype.kind in "fc" else _all(x, True))


def isposinf(input) -> Tensor:
    """True where ``input`` is +inf."""
    x = data_of(input, "isposinf")
    return _wrap(np.isposinf(x) if x.dtype.kind == "f" else _all(x, False))


def isneginf(input) -> Tensor:
    """True where ``input`` is -inf."""
    x = data_of(input, "isneginf")
    return _wrap(np.isneginf(x) if x.dtype.kind == "f" else _all(x, False))


# ---- closeness and equality -----------------------------------------------------------------
def isclose(
    input, other, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> Tensor:
    """True where ``|input - other| <= atol + rtol * |other|`` (or both are equal, or both NaN
    with ``equal_nan``). Both tensors must have the same dtype; shapes broadcast."""
    if not isinstance(other, Tensor):
        raise not_tensor("isclose", other, "other", 2)
    x, y = input._data, other._data
    if x.dtype != y.dtype:
        raise RuntimeError(f"{scalar_name(x.dtype)} did not match {scalar_name(y.dtype)}")
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol}")
    same = binary(np.equal, x, y, input, other)
    if x.dtype.kind == "b":
        return _wrap(same)
    if x.dtype.kind != "f":
        x, y = x.astype(np.float64), y.astype(np.float64)
    with np.errstate(invalid="ignore"):  # inf - inf
        diff = np.abs(x - y)
    close = same | (np.isfinite(diff) & (diff <= atol + rtol * np.abs(y)))
    if equal_nan:
        close |= np.isnan(x) & np.isnan(y)
    return _wrap(close)


def allclose(
    input, other, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> bool:
    """True (a Python bool) if every element of ``input`` is close to ``other``; see ``isclose``."""
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def equal(input, other) -> bool:
    """True (a Python bool) if both tensors have the same shape and the same values."""
    if not isinstance(other, Tensor):
        raise not_tensor("equal", other, "other", 2)
    if not isinstance(input, Tensor):
        raise not_tensor("equal", input)
    x, y = input._data, other._data
    return x.shape == y.shape and bool(np.array_equal(x, y))


# ---- where -----------------------------------------------------------------------------------
def where(condition, input=None, other=None, *, out=None) -> Tensor | tuple:
    """``input`` where ``condition`` is True, else ``other``, broadcasting all three.

    ``condition`` is a bool tensor; ``input``/``other`` are tensors or numbers, promoted together
    (``where(c, int_tensor, 0.5)`` is float32). ``where(condition)`` alone is
    ``condition.nonzero(as_tuple=True)``: one int64 index tensor per dimension.
    """
    if not isinstance(condition, Tensor):
        raise not_tensor("where", condition, "condition")
    if input is None and other is None:
        c = np.atleast_1d(condition._data)
        return tuple(_wrap(i.astype(np.int64)) for i in np.nonzero(c))
    if input is None or other is None:
        raise TypeError(
            "where() received an invalid combination of arguments - expected (Tensor condition) or "
            "(Tensor condition, Tensor or Number input, Tensor or Number other)"
        )
    c = condition._data
    if c.dtype != np.bool_:
        if c.dtype != np.uint8:
            raise RuntimeError(
                "where expected condition to be a boolean tensor, but got a tensor with dtype "
                f"{scalar_name(c.dtype)}"
            )
        warnings.warn(
            "where received a uint8 condition tensor. This behavior is deprecated and will be "
            "removed in a future version of PyTorch. Use a boolean condition instead.",
            UserWarning,
            stacklevel=2,
        )
        c = c.astype(np.bool_)
    x, y = pair("where", input, other)
    if _array.DEVICE_TYPES and not (type(c) is type(x) is type(y)):  # GPU arrays, CPU ones?
        c, x, y = one_device(c, x, y)
    try:
        res = _wrap(np.where(c, x, y))
    except ValueError:
        raise broadcast_error(c.shape, shape_of(input), shape_of(other)) from None
    return _out(attach(res, WhereBackward0, input, other, condition=condition), out)


class WhereBackward0(Node):
    """The gradient goes to ``input`` where the condition held, to ``other`` elsewhere, each
    summed back to its operand's shape (a Python number gets none)."""

    def __init__(self, a, b, *, condition):
        super().__init__(a, b)
        self.save(condition)
        self.shapes = (shape_of(a), shape_of(b))

    def backward(self, grad):
        ga, gb = self.needs_input_grad
        (c,) = self.saved_tensors
        return (
            unbroadcast(where(c, grad, 0.0), self.shapes[0]) if ga else None,
            unbroadcast(where(c, 0.0, grad), self.shapes[1]) if gb else None,
        )


# ---- Tensor methods and operators ------------------------------------------------------------
for _f in (eq, ne, lt, le, gt, ge):
    setattr(Tensor, _f.__name__, _f)
    setattr(Tensor, _f.__name__ + "_", inplace_of(_f, _f.__name__ + "_"))
Tensor.__eq__, Tensor.__ne__ = _operator(eq), _operator(ne)
Tensor.__lt__, Tensor.__le__ = _operator(lt), _operator(le)
Tensor.__gt__, Tensor.__ge__ = _operator(gt), _operator(ge)
# Tensor keeps its identity __hash__ (set in the class body), so tensors stay usable as dict keys
Tensor.not_equal, Tensor.less, Tensor.less_equal = ne, lt, le
Tensor.greater, Tensor.greater_equal = gt, ge
Tensor.isnan, Tensor.isinf, Tensor.isfinite = isnan, isinf, isfinite
Tensor.isposinf, Tensor.isneginf = isposinf, isneginf
Tensor.isclose, Tensor.allclose, Tensor.equal = isclose, allclose, equal
Tensor.where = lambda self, condition, other: where(condition, self, other)

__all__ = [
    "eq", "ne", "lt", "le", "gt", "ge", "not_equal", "less", "less_equal", "greater",
    "greater_equal", "isnan", "isinf", "isfinite", "isposinf",
    "isneginf", "isclose", "allclose", "equal", "where",
]
