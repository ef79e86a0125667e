"""Masks: ``masked_fill`` (set the elements where a bool mask is True), ``masked_select`` (pick
them, as ``x[mask]``) and ``nonzero`` / ``argwhere`` (where a tensor is non-zero).

A mask broadcasts against the tensor it selects from: ``scores.masked_fill(pad[:, None, :], -1e9)``
masks whole columns of every row. Filled positions pass no gradient back to the input. The nodes
keep the mask with ``save``: changing it in place before backward is an error, as in torch.
"""

from __future__ import annotations

import numpy as np

from .. import _array, _dtype
from .._device import mixed
from .._tensor import Tensor, _wrap
from ..autograd.graph import Node, attach
from ..autograd.views import inplace_update
from ._broadcast import unbroadcast
from ._checks import scalar_for
from ._inplace import check_internal_overlap, in_graph, unrecorded
from ._positions import put_into_zeros
from .join import cat
from .shape import broadcast_shapes


def _mask(mask, op, x) -> np.ndarray:
    m = mask._data
    if m.dtype != np.bool_:
        raise RuntimeError(
            f"{op} only supports boolean masks, but got mask with dtype "
            f"{_dtype.c_name(m)}"
        )
    return _mask_on(x, m)


def _mask_on(x, m):
    """The mask ``m`` on ``x``'s device: a CPU mask goes to ``x``'s GPU (glasstorch's leniency,
    as for index tensors: torch wants it on ``x``'s device); a GPU mask must be on ``x``'s."""
    if _array.on_host(m):
        return _array.like(x, m)
    if _array.on_host(x) or x.device.id != m.device.id:
        raise mixed(x, m)
    return m


def _same_device(x, a) -> None:
    """torch's error for a source of values on another device than the tensor ``x``."""
    if type(a) is not type(x) or not (_array.on_host(x) or x.device.id == a.device.id):
        raise mixed(x, a)


def _fill_value(value, op, x):
    """The fill of ``masked_fill``: a 0-d tensor's array (its number when it is on another device,
    as torch takes a CPU scalar tensor), or a number checked against ``x``'s dtype as torch checks
    it (``1e20`` into int64 is torch's overflow RuntimeError)."""
    if isinstance(value, Tensor):
        v = value._data
        if v.ndim:
            raise RuntimeError(
                f"{op} only supports a 0-dimensional value tensor, but got tensor with "
                f"{v.ndim} dimension(s)."
            )
        return v if type(v) is type(x) else _array.to_host(v)[()]
    return scalar_for(value, x.dtype)


def masked_fill(input, mask, value):
    """A copy of ``input`` with ``value`` (a number or 0-d tensor) wherever ``mask`` is True.

    ``mask`` broadcasts against ``input``: ``scores.masked_fill(pad_mask, -1e9)``.
    """
    x = input._data
    m = _mask(mask, "masked_fill_", x)
    v = _fill_value(value, "masked_fill_", x)
    shape = x.shape if m.shape == x.shape else tuple(broadcast_shapes(m.shape, x.shape))
    out = (np.broadcast_to(x, shape) if shape != x.shape else x).copy(order="C")
    np.copyto(out, v, casting="unsafe", where=m)
    if isinstance(value, Tensor):
        return attach(_wrap(out), MaskedFillBackward1, input, value, mask=mask)
    return attach(_wrap(out), MaskedFillBackward0, input, mask=mask)


class MaskedFillBackward0(Node):
    """Filled positions pass no gradient to ``input``."""

    def __init__(self, x, *value, mask):
        super().__init__(x, *value)
        self.shape = x._data.shape
        self.save(mask)

    def backward(self, grad):
        (mask,) = self.saved_tensors
        g = unbroadcast(grad.masked_fill(mask, 0), self.shape)
        if len(self.next_functions) == 1:
            return g
        return g, masked_select(grad, mask).sum()


class MaskedFillBackward1(MaskedFillBackward0):
    """``masked_fill`` with a 0-d tensor value: the value gets the sum of the filled gradients."""


def masked_fill_(self, mask, value):
    """In-place ``masked_fill`` (``mask`` must broadcast to ``self``'s shape)."""
    x = self._data
    m = _mask(mask, "masked_fill_", x)
    v = _fill_value(value, "masked_fill_", x)
    if m.shape != x.shape and tuple(broadcast_shapes(m.shape, x.shape)) != x.shape:
        raise RuntimeError(
            f"output with shape {list(x.shape)} doesn't match the broadcast shape "
            f"{list(broadcast_shapes(m.shape, x.shape))}"
        )

    def write():
        np.copyto(x, v, casting="unsafe", where=m)

    if not in_graph(self, value):
        return unrecorded(self, write)
    if isinstance(value, Tensor):
        return inplace_update(self, write, lambda old: MaskedFillBackward1(old, value, mask=mask))
    return inplace_update(self, write, lambda old: MaskedFillBackward0(old, mask=mask))


def masked_scatter_(self, mask, source):
    """Copy ``source``'s first elements, in order, into the positions where ``mask`` (broadcast
    to ``self``'s shape) is True, in place: ``x`` of shape ``(2, 3)``, a mask with 4 Trues and
    ``source`` of 6 elements: ``source``'s first 4 land at the masked positions, row by row."""
    check_internal_overlap(self._data)
    x = self._data
    m = mask._data if isinstance(mask, Tensor) else None
    if m is None or m.dtype != np.bool_:
        got = _dtype.scalar_name(m) if m is not None else type(mask).__name__
        raise RuntimeError(
            f"masked_scatter_ only supports boolean masks, but got mask with dtype {got}")
    if source._data.dtype != x.dtype:
        raise RuntimeError(
            "masked_scatter: expected self and source to have same dtypes but got"
            f"{_dtype.scalar_name(x)} and {_dtype.scalar_name(source)}")
    m = _mask_on(x, m)
    _same_device(x, source._data)
    if m.shape != x.shape:
        wide = _broadcast_or_raise(m.shape, x.shape)
        if wide != x.shape:
            raise RuntimeError(f"output with shape {list(x.shape)} doesn't match the broadcast "
                               f"shape {list(wide)}")
        m = np.broadcast_to(m, x.shape)
    count = int(np.count_nonzero(m))
    if count > source._data.size:
        raise RuntimeError("Number of elements of source < number of ones in mask")

    def write():
        x[m] = source._data.reshape(-1)[:count]

    if not in_graph(self, source):
        return unrecorded(self, write)
    return inplace_update(self, write, lambda old: MaskedScatterBackward0(
        old, source, mask=mask, count=count))


def _broadcast_or_raise(a: tuple, b: tuple) -> tuple:
    """The broadcast shape of ``a`` and ``b``, or torch's error naming the dimension."""
    try:
        return tuple(np.broadcast_shapes(a, b))
    except ValueError:
        n = max(len(a), len(b))
        a, b = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
        d = max(i for i in range(n) if a[i] != b[i] and 1 not in (a[i], b[i]))
        raise RuntimeError(f"The size of tensor a ({a[d]}) must match the size of tensor b "
                           f"({b[d]}) at non-singleton dimension {d}") from None


def masked_scatter(input, mask, source):
    """Out-of-place ``masked_scatter_``; ``input`` and ``mask`` broadcast together."""
    x = input._data
    if isinstance(mask, Tensor) and mask._data.shape != x.shape:
        shape = _broadcast_or_raise(mask._data.shape, x.shape)
        input = input.expand(shape)
    return masked_scatter_(input.clone(), mask, source)


class MaskedScatterBackward0(Node):
    """``masked_scatter_``: masked positions pass no gradient to ``self``; ``source``'s first
    ``count`` elements get the gradient read at them (the rest get zero)."""

    def __init__(self, old, source, *, mask, count):
        super().__init__(old, source)
        self.src_shape, self.count = source._data.shape, count
        self.save(mask)

    def backward(self, grad):
        (mask,) = self.saved_tensors
        g_old = grad.masked_fill(mask, 0) if self.needs_input_grad[0] else None
        g_src = None
        if self.needs_input_grad[1]:
            picked = masked_select(grad, mask)
            rest = int(np.prod(self.src_shape)) - self.count
            if rest:
                gd = grad._data
                picked = cat([picked, _wrap(_array.namespace(gd).zeros(rest, gd.dtype))])
            g_src = picked.reshape(self.src_shape)
        return g_old, g_src


def masked_select(input, mask):
    """The elements where ``mask`` (broadcast with ``input``) is True, as a 1-D tensor.

    ``x`` of shape ``(2, 3)`` and a ``(3,)`` mask with two True: a ``(4,)`` tensor.
    """
    x = input._data
    m = _mask(mask, "masked_select:", x)
    shape = x.shape if m.shape == x.shape else tuple(broadcast_shapes(m.shape, x.shape))
    mb = np.broadcast_to(m, shape)
    res = _wrap(np.broadcast_to(x, shape)[mb])
    return attach(res, MaskedSelectBackward0, input, mask=mask, shape=shape)


class MaskedSelectBackward0(Node):
    """The gradient written back where the (broadcast) mask is True, then summed to ``x``'s
    shape."""

    def __init__(self, x, *, mask, shape):
        super().__init__(x)
        self.shape, self.broadcast_shape = x._data.shape, shape
        self.save(x, mask)  # (x as torch saves it: a later in-place change is an error)

    def backward(self, grad):
        mask = self.saved_tensors[1]
        mb = np.broadcast_to(_array.like(grad._data, mask._data), self.broadcast_shape)
        return unbroadcast(put_into_zeros(grad, mb.shape, (mb,)), self.shape)


def nonzero(input, *, as_tuple: bool = False, out=None):
    """Positions of the non-zero elements: an ``(n, ndim)`` int64 tensor, or with
    ``as_tuple=True`` one 1-D tensor of positions per dimension (a key for ``x[...]``)."""
    x = input._data
    if as_tuple:
        if x.ndim == 0:
            return (_wrap(_array.namespace(x).zeros(1 if x.item() else 0, np.int64)),)
        return tuple(_wrap(a.astype(np.int64)) for a in np.nonzero(x))
    return _wrap(np.argwhere(x).astype(np.int64))


def argwhere(input):
    """``nonzero(input)``: the positions of non-zero elements as rows."""
    return nonzero(input)


Tensor.masked_fill, Tensor.masked_fill_, Tensor.masked_select = (
    masked_fill, masked_fill_, masked_select)
Tensor.nonzero, Tensor.argwhere = nonzero, argwhere

Tensor.masked_scatter_, Tensor.masked_scatter = masked_scatter_, masked_scatter

__all__ = ["masked_fill", "masked_select", "nonzero", "argwhere", "masked_scatter"]
