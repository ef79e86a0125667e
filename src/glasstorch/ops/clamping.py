"""``clamp`` (alias ``clip``), ``clamp_min``, ``clamp_max`` and their in-place forms.

``clamp(x, min, max)`` is ``minimum(maximum(x, min), max)``, elementwise: ``(*) -> (*)``, or the
broadcast shape when the bounds are tensors. It is differentiable: the gradient flows to ``x``
where it was kept, to a tensor bound where that bound won.
"""

from __future__ import annotations

import builtins

import numpy as np

from .. import _dtype
from .._tensor import Tensor, _wrap
from ..autograd.graph import Node, attach
from ._broadcast import broadcast_error, unbroadcast
from ._checks import as_tensor, data_of
from ._inplace import inplace_of
from ._inplace import write_out as _out
from ._promote import one_device
from .comparison import ge, gt, le, lt, where
from .logical import logical_and, logical_or

_PLAIN = (int, float, type(None))  # bounds that clamp's fast path takes as they are


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
            res = np.minimum(res, max, out=res) if x.ndim else np.minimum(res, max)
            return _out(attach(_wrap(res), ClampBackward1, input, lo=min, hi=max), out)
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        min, max = _bound_kinds(min, max)
        if isinstance(min, Tensor) or isinstance(max, Tensor):
            return _out(attach(_clamp(input, min, max), ClampBackward0, input, min, max), out)
    return _out(attach(_clamp(input, min, max), ClampBackward1, input, lo=min, hi=max), out)


def clamp_min(input, min, *, out=None) -> Tensor:
    """``clamp(input, min=min)``: every element at least ``min`` (a number or a tensor)."""
    res = _clamp(input, min, None)
    if isinstance(min, Tensor):
        return _out(attach(res, ClampMinBackward1, input, min), out)
    return _out(attach(res, ClampMinBackward0, input, lo=min), out)


def clamp_max(input, max, *, out=None) -> Tensor:
    """``clamp(input, max=max)``: every element at most ``max`` (a number or a tensor)."""
    res = _clamp(input, None, max)
    if isinstance(max, Tensor):
        return _out(attach(res, ClampMaxBackward1, input, max), out)
    return _out(attach(res, ClampMaxBackward0, input, hi=max), out)


def _clamp(input, lo, hi) -> Tensor:
    """``minimum(maximum(input, lo), hi)`` in the dtype promoted with the bounds (either may be
    None), as a new tensor outside the graph."""
    x = data_of(input, "clamp")
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
        if any(type(b) is not type(x) for b in (low, high) if hasattr(b, "ndim")):
            x, low, high = one_device(x, low, high)
    try:
        res = x if low is None else np.maximum(x, low)
        res = res if high is None else np.minimum(res, high)
    except ValueError:
        shapes = [np.shape(b) for b in (low, high) if b is not None]
        raise broadcast_error(x.shape, *shapes) from None
    return as_tensor(res)


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
    """Number bounds: the gradient passes where ``lo <= input <= hi``, else it is 0."""

    def __init__(self, a, *, lo=None, hi=None):
        super().__init__(a)
        self.save(a)
        self.lo, self.hi = lo, hi

    def backward(self, grad):
        (a,) = self.saved_tensors
        keep = None if self.lo is None else ge(a, self.lo)
        if self.hi is not None:
            keep = le(a, self.hi) if keep is None else logical_and(keep, le(a, self.hi))
        return where(keep, grad, 0.0)


class ClampMinBackward0(ClampBackward1):
    """``clamp_min(input, number)``: the gradient passes where ``input >= lo``."""


class ClampMaxBackward0(ClampBackward1):
    """``clamp_max(input, number)``: the gradient passes where ``input <= hi``."""


class ClampBackward0(Node):
    """Tensor bounds (either may be None, linked to nothing): ``input`` gets the gradient where it
    was kept, ``lo`` where it won (and was below ``hi``), ``hi`` where it won (or was below
    ``lo``). Each gradient is summed back to its operand's shape."""

    def __init__(self, a, lo, hi):
        super().__init__(a, lo, hi)
        self.save(a, lo, hi)

    def backward(self, grad):
        a, lo, hi = self.saved_tensors
        return _clamp_grads(grad, a, lo, hi, self.needs_input_grad)


def _clamp_grads(grad, a, lo, hi, needed):
    """The gradients of ``input``, ``lo`` and ``hi`` (None where not ``needed`` or no bound)."""
    if hi is None:
        keep, to_lo, to_hi = ge(a, lo), lt(a, lo), None
    elif lo is None:
        keep, to_lo, to_hi = le(a, hi), None, gt(a, hi)
    else:
        keep = logical_and(ge(a, lo), le(a, hi))
        to_lo = logical_and(lt(a, lo), lt(lo, hi))
        to_hi = logical_or(gt(a, hi), lt(hi, lo))
    return tuple(
        unbroadcast(where(mask, grad, 0.0), t._data.shape) if need else None
        for t, mask, need in zip((a, lo, hi), (keep, to_lo, to_hi), needed)
    )


class ClampMinBackward1(Node):
    """``clamp_min(input, tensor)``: as ``ClampBackward0`` with only a lower bound."""

    def __init__(self, a, lo):
        super().__init__(a, lo)
        self.save(a, lo)

    def backward(self, grad):
        a, lo = self.saved_tensors
        ga, glo = self.needs_input_grad
        return _clamp_grads(grad, a, lo, None, (ga, glo, False))[:2]


class ClampMaxBackward1(Node):
    """``clamp_max(input, tensor)``: as ``ClampBackward0`` with only an upper bound."""

    def __init__(self, a, hi):
        super().__init__(a, hi)
        self.save(a, hi)

    def backward(self, grad):
        a, hi = self.saved_tensors
        ga, ghi = self.needs_input_grad
        g_a, _, g_hi = _clamp_grads(grad, a, None, hi, (ga, False, ghi))
        return g_a, g_hi


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

Tensor.clamp = Tensor.clip = clamp
Tensor.clamp_ = Tensor.clip_ = clamp_
Tensor.clamp_min, Tensor.clamp_max = clamp_min, clamp_max
Tensor.clamp_min_, Tensor.clamp_max_ = clamp_min_, clamp_max_

__all__ = ["clamp", "clip", "clamp_min", "clamp_max", "clamp_", "clip_", "clamp_min_", "clamp_max_"]
