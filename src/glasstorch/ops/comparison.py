"""Comparisons and selection: == < ..., NaN tests, closeness, where; and the checks other
elementwise families share.

Comparisons promote their operands as arithmetic does (an int tensor ``< 2.5`` compares as floats)
and give ``bool`` tensors that never carry a ``grad_fn``. ``where`` is differentiable: the gradient
flows to whichever operand each output element came from. Shapes broadcast as in arithmetic:
``(3, 1)`` against ``(4,)`` gives ``(3, 4)``.

The logical and bitwise ops live in ``logical.py``, ``clamp``/``clip`` in ``clamping.py`` (both are
re-exported from here, at the bottom); ``maximum``, ``minimum``, ``fmax`` and ``fmin`` are in
``pointwise_binary.py``.
"""

from __future__ import annotations

import builtins
import warnings

import numpy as np

from .._errors import not_tensor
from .._tensor import Tensor, _wrap
from ..autograd import grad_mode
from ..autograd.graph import Node
from ._broadcast import broadcast_error, unbroadcast
from ._inplace import _dtype_name
from ._inplace import write_out as _out
from ._promote import operands

_OPERAND = (Tensor, int, float, bool, complex, np.generic)


# ---- shared checks, also used by logical, clamp and pointwise ----------------------------------
def _data_of(input, op: str) -> np.ndarray:
    try:
        return input._data
    except AttributeError:
        raise not_tensor(op, input) from None


def _shape(v) -> tuple:
    return v._data.shape if isinstance(v, Tensor) else ()


def _as_input(v):
    return v if isinstance(v, Tensor) else _wrap(np.asarray(v))


def _pair(op: str, a, b):
    """Promoted NumPy operands of a comparison-like op, with torch's TypeError for non-numbers."""
    try:
        return operands(a, b)
    except TypeError:
        raise TypeError(
            f"{op}() received an invalid combination of arguments - got "
            f"({type(a).__name__}, {type(b).__name__}), but expected (Tensor input, Tensor or "
            "Number other)"
        ) from None


def _run(ufunc, x, y, a, b):
    try:
        return ufunc(x, y)
    except ValueError:
        raise broadcast_error(_shape(a), _shape(b)) from None


def inplace_of(fn, name: str, direct=None):
    """The in-place form of ``fn`` (``x.clamp_(0, 1)``): same object, version bumped.

    Recording a graph, ``fn`` runs on an alias of the old value and ``x`` takes the new grad_fn
    (see ``_inplace``); otherwise the result is written straight into ``x``'s array. A result that
    cannot be stored in ``x``'s dtype (float into an int tensor) is torch's RuntimeError.
    ``direct(array, *args)``, if given, may compute a float tensor's result right into its array
    (the fast path, no temporary); it returns False for arguments it leaves to ``fn``.
    """
    from . import _inplace

    def method(self, *args, **kwargs):
        if type(self._data) is not np.ndarray:  # a NumPy scalar (0-d result): give it an array
            self._data = np.array(self._data)
        record = _inplace.recording(self)
        if not record and grad_mode.state.enabled:
            for v in (*args, *kwargs.values()) if kwargs else args:
                if isinstance(v, Tensor) and v._rg:
                    record = True
        if record:
            return _inplace.commit(self, fn(_inplace.old_value(self), *args, **kwargs), name)
        x = self._data
        if direct is not None and type(x) is np.ndarray and x.dtype.kind == "f":
            if direct(x, *args, **kwargs):
                self._vc[0] += 1
                return self
        _inplace.write(self, fn(self, *args, **kwargs)._data, name)
        return self

    method.__name__ = name
    method.__doc__ = f"In-place ``{fn.__name__}``: writes the result into this tensor (same id)."
    return method


def _record(res, node_cls, *inputs):
    """Wrap ``res``; attach ``node_cls(*inputs)`` when recording and a tensor input needs grad."""
    res = _wrap(res if type(res) is np.ndarray else np.asarray(res))
    if grad_mode.state.enabled and builtins.any(isinstance(t, Tensor) and t._rg for t in inputs):
        res._rg = True
        res._grad_fn = node_cls(*inputs)
    return res

# ---- comparisons: eq ne lt le gt ge ----------------------------------------------------------
def _comparison(name: str, ufunc):
    def op(input, other, *, out=None):
        x, y = _pair(name, input, other)
        return _out(_wrap(np.asarray(_run(ufunc, x, y, input, other))), out)

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
        if isinstance(other, _OPERAND):
            return fn(self, other)
        return NotImplemented

    method.__name__ = fn.__name__
    return method

# ---- NaN and infinity tests ------------------------------------------------------------------
def isnan(input) -> Tensor:
    """True where ``input`` is NaN; always False for integer and bool tensors."""
    x = _data_of(input, "isnan")
    return _wrap(np.isnan(x) if x.dtype.kind in "fc" else np.zeros(x.shape, np.bool_))


def isinf(input) -> Tensor:
    """True where ``input`` is +inf or -inf."""
    x = _data_of(input, "isinf")
    return _wrap(np.isinf(x) if x.dtype.kind in "fc" else np.zeros(x.shape, np.bool_))


def isfinite(input) -> Tensor:
    """True where ``input`` is neither NaN nor infinite (always, for integers and bools)."""
    x = _data_of(input, "isfinite")
    return _wrap(np.isfinite(x) if x.dtype.kind in "fc" else np.ones(x.shape, np.bool_))


def isposinf(input) -> Tensor:
    """True where ``input`` is +inf."""
    x = _data_of(input, "isposinf")
    return _wrap(np.isposinf(x) if x.dtype.kind == "f" else np.zeros(x.shape, np.bool_))


def isneginf(input) -> Tensor:
    """True where ``input`` is -inf."""
    x = _data_of(input, "isneginf")
    return _wrap(np.isneginf(x) if x.dtype.kind == "f" else np.zeros(x.shape, np.bool_))


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
        raise RuntimeError(f"{_dtype_name(x.dtype)} did not match {_dtype_name(y.dtype)}")
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol}")
    same = _run(np.equal, x, y, input, other)
    if x.dtype.kind == "b":
        return _wrap(np.asarray(same))
    if x.dtype.kind != "f":
        x, y = x.astype(np.float64), y.astype(np.float64)
    with np.errstate(invalid="ignore"):  # inf - inf
        diff = np.abs(x - y)
    close = same | (np.isfinite(diff) & (diff <= atol + rtol * np.abs(y)))
    if equal_nan:
        close |= np.isnan(x) & np.isnan(y)
    return _wrap(np.asarray(close))


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
                f"{_dtype_name(c.dtype)}"
            )
        warnings.warn(
            "where received a uint8 condition tensor. This behavior is deprecated and will be "
            "removed in a future version of PyTorch. Use a boolean condition instead.",
            UserWarning,
            stacklevel=2,
        )
        c = c.astype(np.bool_)
    x, y = _pair("where", input, other)
    try:
        res = _wrap(np.asarray(np.where(c, x, y)))
    except ValueError:
        raise broadcast_error(c.shape, _shape(input), _shape(other)) from None
    if grad_mode.state.enabled and (
        (isinstance(input, Tensor) and input._rg) or (isinstance(other, Tensor) and other._rg)
    ):
        res._rg = True
        res._grad_fn = WhereBackward0(condition, input, other)
    return _out(res, out)


class WhereBackward0(Node):
    """The gradient goes to ``input`` where the condition held, to ``other`` elsewhere."""

    def __init__(self, condition, a, b):
        super().__init__(_as_input(a), _as_input(b))
        self.condition = condition
        self.shapes = (_shape(a), _shape(b))

    def backward(self, grad):
        ga, gb = self.needs_input_grad
        c = self.condition
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

# The two sibling families, imported last: they build on the checks and comparisons above.
from .clamping import (  # noqa: E402,F401
    ClampBackward0,
    ClampBackward1,
    ClampMaxBackward0,
    ClampMaxBackward1,
    ClampMinBackward0,
    ClampMinBackward1,
    clamp,
    clamp_,
    clamp_max,
    clamp_max_,
    clamp_min,
    clamp_min_,
    clip,
    clip_,
)
from .logical import (  # noqa: E402,F401
    bitwise_and,
    bitwise_and_,
    bitwise_not,
    bitwise_not_,
    bitwise_or,
    bitwise_or_,
    bitwise_xor,
    bitwise_xor_,
    logical_and,
    logical_and_,
    logical_not,
    logical_not_,
    logical_or,
    logical_or_,
    logical_xor,
    logical_xor_,
)

__all__ = [
    "eq", "ne", "lt", "le", "gt", "ge", "not_equal", "less", "less_equal", "greater",
    "greater_equal", "logical_and", "logical_or", "logical_xor", "logical_not", "bitwise_and",
    "bitwise_or", "bitwise_xor", "bitwise_not", "isnan", "isinf", "isfinite", "isposinf",
    "isneginf", "isclose", "allclose", "equal", "where",
    "clamp", "clip", "clamp_min", "clamp_max", "clamp_", "clip_", "clamp_min_", "clamp_max_",
]  # this family's names and those of logical.py and clamping.py, re-exported above
