"""``clamp`` (alias ``clip``), ``clamp_min``, ``clamp_max`` and their in-place forms.

``clamp(x, min, max)`` is ``minimum(maximum(x, min), max)``, elementwise: ``(*) -> (*)``, or the
broadcast shape when the bounds are tensors. It is differentiable: the gradient flows to ``x``
where it was kept, to a tensor bound where that bound won. Re-exported from ``comparison.py``.
"""

from __future__ import annotations

import builtins

import numpy as np

from .. import _dtype
from .._tensor import Tensor, _wrap
from ..autograd import grad_mode
from ..autograd.graph import Node
from ._broadcast import broadcast_error, unbroadcast
from .comparison import _out, _record, ge, gt, inplace_of, le, lt, not_tensor, where
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

Tensor.clamp = Tensor.clip = clamp
Tensor.clamp_ = Tensor.clip_ = clamp_
Tensor.clamp_min, Tensor.clamp_max = clamp_min, clamp_max
Tensor.clamp_min_, Tensor.clamp_max_ = clamp_min_, clamp_max_

__all__ = ["clamp", "clip", "clamp_min", "clamp_max", "clamp_", "clip_", "clamp_min_", "clamp_max_"]
