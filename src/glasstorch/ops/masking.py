"""Masks: ``masked_fill`` (set the elements where a bool mask is True), ``masked_select`` (pick
them, as ``x[mask]``) and ``nonzero`` / ``argwhere`` (where a tensor is non-zero).

A mask broadcasts against the tensor it selects from: ``scores.masked_fill(pad[:, None, :], -1e9)``
masks whole columns of every row. Filled positions pass no gradient back to the input.
"""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap
from ..autograd import grad_mode
from ..autograd.graph import Node
from ..autograd.views import inplace_update
from ._broadcast import unbroadcast
from .indexing import put_into_zeros

_C_NAMES = {"int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
            "uint8": "unsigned char", "float32": "float", "float64": "double", "float16": "Half"}


def _finish(input, res, node, *args):
    if input._rg and grad_mode.state.enabled:
        res._rg = True
        res._grad_fn = node(input, *args)
    return res


def _plain(t, write):
    write()
    t._vc[0] += 1
    return t


def _mask(mask, op) -> np.ndarray:
    m = mask._data
    if m.dtype != np.bool_:
        raise RuntimeError(
            f"{op} only supports boolean masks, but got mask with dtype "
            f"{_C_NAMES.get(m.dtype.name, m.dtype.name)}"
        )
    return m


def _fill_value(value, op):
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(
                f"{op} only supports a 0-dimensional value tensor, but got tensor with "
                f"{value._data.ndim} dimension(s)."
            )
        return value._data
    return value


def masked_fill(input, mask, value):
    """A copy of ``input`` with ``value`` (a number or 0-d tensor) wherever ``mask`` is True.

    ``mask`` broadcasts against ``input``: ``scores.masked_fill(pad_mask, -1e9)``.
    """
    from .shape import broadcast_shapes

    x, m = input._data, _mask(mask, "masked_fill_")
    v = _fill_value(value, "masked_fill_")
    shape = x.shape if m.shape == x.shape else tuple(broadcast_shapes(m.shape, x.shape))
    out = np.array(np.broadcast_to(x, shape))
    np.copyto(out, v, casting="unsafe", where=m)
    res = _wrap(out)
    is_t = isinstance(value, Tensor)
    if grad_mode.state.enabled and (input._rg or (is_t and value._rg)):
        res._rg = True
        res._grad_fn = (MaskedFillBackward1(input, mask, value) if is_t
                        else MaskedFillBackward0(input, mask))
    return res


class MaskedFillBackward0(Node):
    """Filled positions pass no gradient to ``input``."""

    def __init__(self, x, mask, *value):
        super().__init__(x, *value)
        self.shape, self.mask = x._data.shape, mask

    def backward(self, grad):
        g = unbroadcast(grad.masked_fill(self.mask, 0), self.shape)
        if len(self.next_functions) == 1:
            return g
        return g, masked_select(grad, self.mask).sum()


class MaskedFillBackward1(MaskedFillBackward0):
    """``masked_fill`` with a 0-d tensor value: the value gets the sum of the filled gradients."""


def masked_fill_(self, mask, value):
    """In-place ``masked_fill`` (``mask`` must broadcast to ``self``'s shape)."""
    from .shape import broadcast_shapes

    x, m = self._data, _mask(mask, "masked_fill_")
    v = _fill_value(value, "masked_fill_")
    if m.shape != x.shape and tuple(broadcast_shapes(m.shape, x.shape)) != x.shape:
        raise RuntimeError(
            f"masked_fill_: output with shape {list(x.shape)} doesn't match the broadcast shape "
            f"{list(broadcast_shapes(m.shape, x.shape))}"
        )

    def write():
        np.copyto(x, v, casting="unsafe", where=m)

    is_t = isinstance(value, Tensor)
    if not (grad_mode.state.enabled and (self._rg or (is_t and value._rg))):
        return _plain(self, write)
    if is_t:
        return inplace_update(self, write, lambda old: MaskedFillBackward1(old, mask, value))
    return inplace_update(self, write, lambda old: MaskedFillBackward0(old, mask))


def masked_select(input, mask):
    """The elements where ``mask`` (broadcast with ``input``) is True, as a 1-D tensor."""
    from .shape import broadcast_shapes

    x, m = input._data, _mask(mask, "masked_select:")
    shape = x.shape if m.shape == x.shape else tuple(broadcast_shapes(m.shape, x.shape))
    mb = np.broadcast_to(m, shape)
    return _finish(input, _wrap(np.broadcast_to(x, shape)[mb]), MaskedSelectBackward0, mb)


class MaskedSelectBackward0(Node):
    def __init__(self, x, mask):
        super().__init__(x)
        self.shape, self.mask = x._data.shape, mask

    def backward(self, grad):
        return unbroadcast(put_into_zeros(grad, self.mask.shape, (self.mask,)), self.shape)


def nonzero(input, *, as_tuple: bool = False, out=None):
    """Positions of the non-zero elements: an ``(n, ndim)`` int64 tensor, or with
    ``as_tuple=True`` one 1-D tensor of positions per dimension (a key for ``x[...]``)."""
    x = input._data
    if as_tuple:
        if x.ndim == 0:
            return (_wrap(np.zeros(1 if x.item() else 0, np.int64)),)
        return tuple(_wrap(a.astype(np.int64)) for a in np.nonzero(x))
    return _wrap(np.argwhere(x).astype(np.int64))


def argwhere(input):
    """``nonzero(input)``: the positions of non-zero elements as rows."""
    return nonzero(input)


Tensor.masked_fill, Tensor.masked_fill_, Tensor.masked_select = (
    masked_fill, masked_fill_, masked_select)
Tensor.nonzero, Tensor.argwhere = nonzero, argwhere

__all__ = ["masked_fill", "masked_select", "nonzero", "argwhere"]
