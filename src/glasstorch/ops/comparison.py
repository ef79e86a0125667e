"""Comparisons and selection: == < ..., logical and bitwise ops, NaN tests, where, clamp.

Comparisons promote their operands as arithmetic does (an int tensor ``< 2.5`` compares as floats)
and give ``bool`` tensors that never carry a ``grad_fn``. The selecting ops (``where``, ``clamp``)
are differentiable: the gradient flows to whichever operand each output element came from.
Shapes broadcast as in arithmetic: ``(3, 1)`` against ``(4,)`` gives ``(3, 4)``. ``maximum``,
``minimum``, ``fmax`` and ``fmin`` are in pointwise.py.
"""

from __future__ import annotations

import builtins
import warnings

import numpy as np

from .. import _dtype
from .._tensor import Tensor, _wrap
from ..autograd import grad_mode
from ..autograd.graph import Node
from ._broadcast import broadcast_error, unbroadcast
from ._inplace import _dtype_name
from ._promote import operands
from .arithmetic import _out as _write_out

_OPERAND = (Tensor, int, float, bool, complex, np.generic)
_PLAIN = (int, float, type(None))  # bounds that clamp's fast path takes as they are


# ---- shared checks, also used by pointwise.py -------------------------------------------------
def not_tensor(op: str, value, name: str = "input", pos: int = 1) -> TypeError:
    """torch's TypeError for a non-tensor where a tensor is required."""
    return TypeError(
        f"{op}(): argument '{name}' (position {pos}) must be Tensor, not {type(value).__name__}"
    )


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


def _out(res, out):
    return res if out is None else _write_out(res, out)


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


# ---- logical and bitwise ---------------------------------------------------------------------
def _logical(name: str, ufunc):
    def op(input, other, *, out=None):
        if not isinstance(other, Tensor):
            raise not_tensor(name, other, "other", 2)
        if not isinstance(input, Tensor):
            raise not_tensor(name, input)
        return _out(_wrap(np.asarray(_run(ufunc, input._data, other._data, input, other))), out)

    op.__name__ = name
    op.__doc__ = (
        f"Elementwise {name.split('_')[1].upper()} of the truth values of two tensors (nonzero is "
        "True), broadcasting; a bool tensor."
    )
    return op


logical_and = _logical("logical_and", np.logical_and)
logical_or = _logical("logical_or", np.logical_or)
logical_xor = _logical("logical_xor", np.logical_xor)


def logical_not(input, *, out=None) -> Tensor:
    """True where ``input`` is zero (or False): a bool tensor of the same shape."""
    if not isinstance(input, Tensor):
        raise not_tensor("logical_not", input)
    return _out(_wrap(np.logical_not(input._data)), out)


def _bitwise(name: str, ufunc):
    def op(input, other, *, out=None):
        x, y = _pair(name, input, other)
        dt = np.result_type(x, y)
        if dt.kind not in "biu":
            raise NotImplementedError(
                f'"{name}_cpu" not implemented for \'{_dtype_name(dt)}\''
            )
        return _out(_wrap(np.asarray(_run(ufunc, x, y, input, other))), out)

    op.__name__ = name
    op.__doc__ = (
        f"Elementwise bit {name.split('_')[1].upper()} of integer or bool tensors (and Python "
        "ints or bools), broadcasting."
    )
    return op


bitwise_and = _bitwise("bitwise_and", np.bitwise_and)
bitwise_or = _bitwise("bitwise_or", np.bitwise_or)
bitwise_xor = _bitwise("bitwise_xor", np.bitwise_xor)


def bitwise_not(input, *, out=None) -> Tensor:
    """``~x``: flips every bit of an integer tensor (``~5 == -6``), negates a bool tensor."""
    x = _data_of(input, "bitwise_not")
    if x.dtype.kind not in "biu":
        raise NotImplementedError(
            f"\"bitwise_not_cpu\" not implemented for '{_dtype_name(x.dtype)}'"
        )
    return _out(_wrap(np.invert(x)), out)


def _invert(self):
    if self._data.dtype.kind not in "biu":
        raise TypeError(
            "~ (operator.invert) is only implemented on integer and Boolean-type tensors"
        )
    return _wrap(np.invert(self._data))


def _bitwise_operator(fn, reflected=False):
    def method(self, other):
        if not isinstance(other, _OPERAND):
            return NotImplemented
        return fn(other, self) if reflected else fn(self, other)

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


# ---- clamp / clip ----------------------------------------------------------------------------
def clamp(input, min=None, max=None, *, out=None) -> Tensor:
    """Limit every element to ``[min, max]``: ``minimum(maximum(input, min), max)``.

    Either bound may be omitted (not both). Bounds are both numbers or both tensors (which
    broadcast with ``input`` and get gradients too); if ``min > max`` every element becomes
    ``max``. The dtype is promoted with the bounds: ``clamp(int_tensor, 0.5)`` is float32.
    """
    if type(min) in _PLAIN and type(max) in _PLAIN and type(input) is Tensor:
        x = input._data
        if x.dtype.kind == "f" and min is not None and max is not None:  # the common case
            res = np.maximum(x, min)
            res = np.minimum(res, max, out=res) if x.ndim else np.asarray(np.minimum(res, max))
            res = _wrap(res)
            if input._rg and grad_mode.state.enabled:
                res._rg = True
                res._grad_fn = ClampBackward1(input, min, max)
            return _out(res, out)
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        min, max = _bound_kinds(min, max)
        if isinstance(min, Tensor) or isinstance(max, Tensor):
            return _out(_clamp(input, min, max, ClampBackward0), out)
    return _out(_clamp(input, min, max, ClampBackward1), out)


def clamp_min(input, min, *, out=None) -> Tensor:
    """``clamp(input, min=min)``: every element at least ``min`` (a number or a tensor)."""
    node = ClampMinBackward1 if isinstance(min, Tensor) else ClampMinBackward0
    return _out(_clamp(input, min, None, node), out)


def clamp_max(input, max, *, out=None) -> Tensor:
    """``clamp(input, max=max)``: every element at most ``max`` (a number or a tensor)."""
    node = ClampMaxBackward1 if isinstance(max, Tensor) else ClampMaxBackward0
    return _out(_clamp(input, None, max, node), out)


def _clamp(input, lo, hi, node):
    """``minimum(maximum(input, lo), hi)`` in the dtype promoted with the bounds, then ``node``."""
    try:
        x = input._data
    except AttributeError:
        raise not_tensor("clamp", input) from None
    bounds = [b for b in (lo, hi) if b is not None]
    low, high = lo, hi
    if x.dtype.kind != "f" or not all(type(b) in (int, float) for b in bounds):
        dt = _dtype.result_type(input, *bounds).np
        tensors = isinstance(lo, Tensor) or isinstance(hi, Tensor)
        if dt == np.bool_ and (not tensors or len(bounds) == 2):  # torch's kernels refuse these
            kind = "" if tensors else "_scalar" if len(bounds) == 2 else (
                "_min_scalar" if hi is None else "_max_scalar")
            raise NotImplementedError(f"\"clamp{kind}_cpu\" not implemented for 'Bool'")
        x = x.astype(dt, copy=False)
        low, high = (b._data.astype(dt, copy=False) if isinstance(b, Tensor) else b
                     for b in (lo, hi))
    try:
        res = x if low is None else np.maximum(x, low)
        res = res if high is None else np.minimum(res, high)
    except ValueError:
        shapes = [np.shape(b) for b in (low, high) if b is not None]
        raise broadcast_error(x.shape, *shapes) from None
    return _record(res, node, input, lo, hi)


def _record(res, node_cls, *inputs):
    """Wrap ``res``; attach ``node_cls(*inputs)`` when recording and a tensor input needs grad."""
    res = _wrap(res if type(res) is np.ndarray else np.asarray(res))
    if grad_mode.state.enabled and builtins.any(isinstance(t, Tensor) and t._rg for t in inputs):
        res._rg = True
        res._grad_fn = node_cls(*inputs)
    return res


def _bound_kinds(lo, hi):
    """torch takes two tensor bounds or two numbers; a 0-d tensor needing no grad may stand for a
    number next to a number."""
    if all(isinstance(b, Tensor) for b in (lo, hi) if b is not None):
        return lo, hi
    if builtins.any(isinstance(b, Tensor) and (b._data.ndim or b._rg) for b in (lo, hi)):
        got = ", ".join(f"{k}={type(v).__name__}" for k, v in (("min", lo), ("max", hi)))
        raise TypeError(
            f"clamp() received an invalid combination of arguments - got (Tensor, {got}), but "
            "expected (Tensor input, Tensor min, Tensor max) or (Tensor input, Number min, "
            "Number max)"
        )
    return tuple(b._data.item() if isinstance(b, Tensor) else b for b in (lo, hi))


class ClampBackward1(Node):
    """Number bounds: the gradient passes where ``min <= input <= max``, else it is 0."""

    def __init__(self, a, lo, hi):
        super().__init__(a)
        self.save(a)
        self.lo, self.hi = lo, hi

    def backward(self, grad):
        (a,) = self.saved_tensors
        keep = None if self.lo is None else ge(a, self.lo)
        if self.hi is not None:
            keep = le(a, self.hi) if keep is None else logical_and(keep, le(a, self.hi))
        return where(keep, grad, 0.0)


ClampMinBackward0 = type("ClampMinBackward0", (ClampBackward1,), {"__module__": __name__})
ClampMaxBackward0 = type("ClampMaxBackward0", (ClampBackward1,), {"__module__": __name__})

class ClampBackward0(Node):
    """Tensor bounds: ``input`` gets the gradient where it was kept, ``min`` where it won (and
    was below ``max``), ``max`` where it won (or was below ``min``)."""

    def __init__(self, a, lo, hi):
        super().__init__(*self._links(a, lo, hi))
        self.save(a, lo, hi)

    @staticmethod
    def _links(a, lo, hi):  # torch links all three, a missing bound to nothing
        return a, _NO_INPUT if lo is None else lo, _NO_INPUT if hi is None else hi

    @staticmethod
    def _pick(grads):
        return grads

    def backward(self, grad):
        a, lo, hi = self.saved_tensors
        if hi is None:
            keep, to_lo, to_hi = ge(a, lo), lt(a, lo), None
        elif lo is None:
            keep, to_lo, to_hi = le(a, hi), None, gt(a, hi)
        else:
            keep = logical_and(ge(a, lo), le(a, hi))
            to_lo = logical_and(lt(a, lo), lt(lo, hi))
            to_hi = logical_or(gt(a, hi), lt(hi, lo))
        grads = tuple(
            unbroadcast(where(mask, grad, 0.0), t._data.shape) if t is not None and t._rg else None
            for t, mask in ((a, keep), (lo, to_lo), (hi, to_hi))
        )
        return self._pick(grads)


class ClampMinBackward1(ClampBackward0):
    _links = staticmethod(lambda a, lo, hi: (a, lo))
    _pick = staticmethod(lambda grads: grads[:2])


class ClampMaxBackward1(ClampBackward0):
    _links = staticmethod(lambda a, lo, hi: (a, hi))
    _pick = staticmethod(lambda grads: (grads[0], grads[2]))


_NO_INPUT = _wrap(np.zeros(()))  # stands in for a missing bound: needs no grad, links to nothing
clip = clamp

def _clamp_into(x, min=None, max=None) -> bool:
    """``clamp_`` of a float array by number bounds, written into the array itself."""
    if type(min) not in _PLAIN or type(max) not in _PLAIN or (min is None and max is None):
        return False
    if min is not None:
        np.maximum(x, min, out=x)
    if max is not None:
        np.minimum(x, max, out=x)
    return True


clamp_ = clip_ = inplace_of(clamp, "clamp_", _clamp_into)
clamp_min_ = inplace_of(clamp_min, "clamp_min_", lambda x, min: _clamp_into(x, min=min))
clamp_max_ = inplace_of(clamp_max, "clamp_max_", lambda x, max: _clamp_into(x, max=max))
logical_and_ = inplace_of(logical_and, "logical_and_")
logical_or_ = inplace_of(logical_or, "logical_or_")
logical_xor_ = inplace_of(logical_xor, "logical_xor_")
logical_not_ = inplace_of(logical_not, "logical_not_")
bitwise_and_ = inplace_of(bitwise_and, "bitwise_and_")
bitwise_or_ = inplace_of(bitwise_or, "bitwise_or_")
bitwise_xor_ = inplace_of(bitwise_xor, "bitwise_xor_")
bitwise_not_ = inplace_of(bitwise_not, "bitwise_not_")

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
for _f in (logical_and, logical_or, logical_xor, logical_not, logical_and_, logical_or_,
           logical_xor_, logical_not_, bitwise_and, bitwise_or, bitwise_xor, bitwise_not,
           bitwise_and_, bitwise_or_, bitwise_xor_, bitwise_not_):
    setattr(Tensor, _f.__name__, _f)
for _name, _f in (("and", bitwise_and), ("or", bitwise_or), ("xor", bitwise_xor)):
    setattr(Tensor, f"__{_name}__", _bitwise_operator(_f))
    setattr(Tensor, f"__r{_name}__", _bitwise_operator(_f, reflected=True))
Tensor.__iand__, Tensor.__ior__, Tensor.__ixor__ = bitwise_and_, bitwise_or_, bitwise_xor_
Tensor.__invert__ = _invert
Tensor.isnan, Tensor.isinf, Tensor.isfinite = isnan, isinf, isfinite
Tensor.isposinf, Tensor.isneginf = isposinf, isneginf
Tensor.isclose, Tensor.allclose, Tensor.equal = isclose, allclose, equal
Tensor.where = lambda self, condition, other: where(condition, self, other)
Tensor.clamp = Tensor.clip = clamp
Tensor.clamp_ = Tensor.clip_ = clamp_
Tensor.clamp_min, Tensor.clamp_max = clamp_min, clamp_max
Tensor.clamp_min_, Tensor.clamp_max_ = clamp_min_, clamp_max_

__all__ = [
    "eq", "ne", "lt", "le", "gt", "ge", "not_equal", "less", "less_equal", "greater",
    "greater_equal", "logical_and", "logical_or", "logical_xor", "logical_not", "bitwise_and",
    "bitwise_or", "bitwise_xor", "bitwise_not", "isnan", "isinf", "isfinite", "isposinf",
    "isneginf", "isclose", "allclose", "equal", "where",
    "clamp", "clip", "clamp_min", "clamp_max", "clamp_", "clip_", "clamp_min_", "clamp_max_",
]
