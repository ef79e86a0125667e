"""Views, as autograd sees them: tensors that share another tensor's memory.

``view_of`` makes one (``x[0]``, ``x.T``, ``x.reshape(...)`` when it can): it shares its base's
memory and version counter. Two things then need care, and both live here.

Writing in place through a view.
``y = x * 2; v = y[0]; v[1] = z``: the write changes ``y`` too (``v`` shares its memory), so
``y``'s history must change as well. ``inplace_update`` records it the way torch does: the *base*
``y`` gets a ``CopySlices`` node that runs the op's own backward on ``v``'s region of ``y``'s
gradient and passes the rest through; ``v`` becomes a view of the new ``y``
(``AsStridedBackward0``). Where ``v``'s elements sit inside ``y`` (its "geometry": shape,
strides and offset, in elements) is read off the two NumPy arrays.

An in-place op on a tensor that is not a view just takes the op's node as its ``grad_fn``.

A view whose base was rewritten some other way. ``s = x * 1; r = s[0]; s.mul_(x)``: ``r`` now holds
``(x * x)[0]`` but its ``grad_fn`` still describes ``(x * 1)[0]``. ``refresh`` notices (the base's
``grad_fn`` is no longer the one the view was made from) and re-expresses the view from the base.
"""

from __future__ import annotations

import numpy as np

from .. import _array
from .._tensor import Tensor, _wrap
from . import grad_mode
from .graph import Node, set_history

_LEAF = "a leaf Variable that requires grad is being used in an in-place operation."
_VIEW_LEAF = "a view of a leaf Variable that requires grad is being used in an in-place operation."


# A view made by an op that returns several views (unbind, split, chunk) may not be written in
# place while autograd records: each output's node only knows its own piece. Such a view (and
# any view of it) carries ``(output index, kind)``; kind is "grad" (made from a base requiring
# grad, grad mode on), "no_grad" (the same, made in no_grad mode), "plain" / "no_grad_plain"
# (base not requiring grad: refused only when the write is recorded as the value requires grad).
Tensor._multi_view = None

_MULTI_TAIL = ("This view is the output of a function that returns multiple views. Such functions "
               "do not allow the output views to be modified inplace. You should replace the "
               "inplace operation by an out-of-place one.")


def view_of(base: Tensor, arr: np.ndarray) -> Tensor:
    """Wrap ``arr`` (a NumPy view of ``base``'s array) as a view tensor of ``base``: it shares the
    version counter, and remembers the root tensor whose memory it is part of."""
    out = _wrap(arr)
    out._vc = base._vc
    out._base = root = base if base._base is None else base._base
    out._vfn = root._grad_fn  # the base history this view's grad_fn is relative to
    if base._multi_view is not None:  # a view of an output of unbind/split: output 0 of its op
        out._multi_view = (0, base._multi_view[1])
    return out


def mark_multi_view(base: Tensor, outs: tuple) -> tuple:
    """Mark ``outs`` (the views one call of ``unbind``/``split``/``chunk`` returned from
    ``base``) as outputs of a multi-view op; returns ``outs``."""
    on = grad_mode.state.enabled
    kind = ("grad" if on else "no_grad") if base._rg else ("plain" if on else "no_grad_plain")
    for i, t in enumerate(outs):
        t._multi_view = (i, kind)
    return outs


def check_multi_view(t: Tensor) -> None:
    """Refuse, in torch's words, an in-place op that autograd records on an output of a
    multi-view op (``x.unbind(0)[0].mul_(2)`` with ``x`` requiring grad)."""
    index, kind = t._multi_view
    if kind == "grad":
        fn = t._grad_fn
        name = type(fn).__name__.rstrip("0123456789").removesuffix("Backward") if fn else "View"
        raise RuntimeError(f"Output {index} of {name} is a view and is being modified inplace. "
                           + _MULTI_TAIL)
    if kind == "plain":
        raise RuntimeError("A view was created in no_grad mode and is being modified inplace "
                           "with grad mode enabled. " + _MULTI_TAIL)
    raise RuntimeError(
        "A view was created in no_grad mode and is being modified inplace with grad mode "
        "enabled. Given that this use case is ambiguous and error-prone, it is forbidden. You can "
        "clarify your code by moving both the view and the inplace either both inside the "
        "no_grad block (if you don't want the inplace to be tracked) or both outside (if you want "
        "the inplace to be tracked).")


def refresh(view: Tensor):
    """The history of a view whose base's history was rewritten since the view was made (see the
    module docstring); whenever the base's ``grad_fn`` is not the one the view was made from, the
    view is re-expressed from the base's current history (``AsStridedBackward0``, as torch does),
    or its gradient would be silently wrong. Returns the view's (possibly new) ``grad_fn``."""
    base = view._base
    if base._rg and (base._grad_fn is not None or view._grad_fn is not None):
        rebase_view(base, view)  # also records base's grad_fn as the view's reference
    else:
        view._vfn = base._grad_fn
    return view._grad_fn


def stand_in(t: Tensor, data=None) -> Tensor:
    """A stand-in for ``t`` as it was before an in-place write: its place in the graph, over
    ``t``'s own array or over ``data`` (a copy of the old values, ``_inplace.old_value``)."""
    a = _wrap(t._data if data is None else data)
    a._rg, a._grad_fn, a._acc = t._rg, t._grad_fn, t._acc
    return a


def inplace_update(t: Tensor, write, make_node, wrap: bool = False, bump: bool = True) -> Tensor:
    """Record an in-place change of ``t`` and run ``write()`` to do it.

    ``make_node(old)`` builds the op's backward node as if it were out of place, its first input
    ``old`` standing for ``t`` before the write. If ``t`` is a view of a tensor ``base`` in the
    graph, ``base`` takes the history: a ``CopySlices`` node runs the op's backward on ``t``'s
    region of ``base``'s gradient, and ``t`` becomes a view of the new ``base``.
    ``wrap=True`` names the node ``CopySlices`` even when ``t`` is not a view (basic setitem).
    ``bump=False`` when ``write`` bumps the version counter itself.
    """
    if t._multi_view is not None:
        check_multi_view(t)
    base = t._base
    if base is not None and base is not t and base._rg == t._rg:
        if base._rg and base._grad_fn is None:
            raise RuntimeError(_VIEW_LEAF)
        geom = _geometry(base, t)
        node = make_node(stand_in(t))
        old_base = stand_in(base)
        write()
        t._vc[0] += bump
        set_history(base, CopySlices(old_base, geom, node))
        rebase_view(base, t, geom)
        return t
    if t._rg and t._grad_fn is None:
        raise RuntimeError(_LEAF)
    old = stand_in(t)
    node = make_node(old)
    write()
    t._vc[0] += bump
    set_history(t, CopySlices(old, None, node) if wrap else node)
    return t


def rebase_view(base: Tensor, view: Tensor, geom: tuple | None = None) -> None:
    """Give ``view`` the history "this region of ``base`` as it is now" (``AsStridedBackward0``):
    after an in-place op through ``view`` itself, or, found later by ``autograd.graph.edge``, one
    that rewrote ``base``'s history some other way since ``view`` was made (``refresh``)."""
    set_history(view, AsStridedBackward0(base, geom or _geometry(base, view)))
    view._vfn = base._grad_fn  # the view's history now follows the base's current one


def _geometry(base: Tensor, view: Tensor) -> tuple:
    """Where ``view``'s elements sit in ``base``: ``(shape, strides, offset, order)``.

    When ``base``'s memory is dense (row-major "C" or column-major "F"), strides and offset (in
    elements) into that memory say it. Otherwise (``base`` is itself strided, say a transpose
    of a slice) ``strides`` is None and ``offset`` is an array, shaped like ``view``, of the
    position of each of its elements in ``base`` read row-major: each element's memory address
    is matched to the base element at the same address (the array of positions lives on
    ``base``'s device, the geometry itself is worked out on the host)."""
    b, v = base._data, view._data
    item = b.itemsize
    off = (_array.address(v) - _array.address(b)) // item
    order = "C" if b.flags.c_contiguous else "F" if b.flags.f_contiguous else None
    if order is not None:
        return v.shape, tuple(s // item for s in v.strides), off, order
    at_base = _addresses(b.shape, [s // item for s in b.strides], 0).ravel()
    by_address = np.argsort(at_base, kind="stable")
    at_view = _addresses(v.shape, [s // item for s in v.strides], off).ravel()
    where = by_address[np.searchsorted(at_base[by_address], at_view)]
    return v.shape, None, _array.like(b, where.reshape(v.shape)), "C"


def _may_overlap(shape: tuple, strides) -> bool:
    """Whether two elements of a view of this shape and these strides (in elements) may share
    memory: False for any slice, transpose or reshape of dense memory; True for an ``expand``
    (stride 0) or an ``unfold`` whose windows overlap (it may also say True for some strided
    layouts that do not overlap: the caller then takes its slower, always correct path)."""
    reach = 0
    for stride, n in sorted((abs(s), n) for n, s in zip(shape, strides) if n > 1):
        if stride <= reach:
            return True
        reach += stride * (n - 1)
    return False


def _addresses(shape: tuple, strides: list, start: int) -> np.ndarray:
    """The memory position (in elements) of each element of an array of ``shape``/``strides``
    whose first element is at ``start``."""
    out = np.array(start, dtype=np.int64)
    for n, st in zip(shape, strides):
        out = out[..., None] + np.arange(n, dtype=np.int64) * st
    return out


def _region(arr: np.ndarray, geom: tuple) -> np.ndarray:
    """The elements of ``arr`` (shaped like the base, laid out in ``geom``'s order) that ``geom``
    describes: a view to read or write when the base was dense, else a copy (see ``_put``)."""
    shape, strides, off, order = geom
    if strides is None:
        return arr.reshape(-1)[off]
    flat = arr.reshape(-1, order=order)[off:]  # a view: arr is dense in that order
    strided = (np if type(arr) is np.ndarray else _array.namespace(arr)).lib.stride_tricks
    return strided.as_strided(flat, shape, tuple(s * arr.itemsize for s in strides))


def _put(arr: np.ndarray, geom: tuple, values) -> None:
    """Write ``values`` into the elements of ``arr`` that ``geom`` describes."""
    if geom[1] is None:
        arr.reshape(-1)[geom[2]] = values
    else:
        _region(arr, geom)[...] = values


class CopySlices(Node):
    """The base's node after an in-place op on one of its views: the op's own backward runs on
    the view's region of the gradient; the rest of the gradient passes through unchanged."""

    def __init__(self, old_base, geom, inner: Node):
        if geom is None:  # not a view: the op's own inputs
            self.next_functions = inner.next_functions
        else:  # the base's old history, then the op's other inputs
            super().__init__(old_base)
            self.next_functions = self.next_functions + inner.next_functions[1:]
        self.geom, self.inner = geom, inner

    def backward(self, grad):
        if self.geom is None:
            return self.inner.backward(grad)
        shape, strides = self.geom[:2]
        if strides is not None and 0 not in shape and any(
                s == 0 and n > 1 for n, s in zip(shape, strides)):
            # a fill through an expanded view: torch allows the write, not its backward
            raise RuntimeError(
                "unsupported operation: more than one element of the written-to tensor refers "
                "to a single memory location. Please clone() the tensor before performing the "
                "operation.")
        g = grad._data.copy(order=self.geom[3])
        res = self.inner.backward(_wrap(_region(g, self.geom).copy(order="K")))
        if type(res) is not tuple:
            res = (res,)
        _put(g, self.geom, 0 if res[0] is None else res[0]._data)
        return (_wrap(g),) + res[1:]

    def release(self):
        self.inner.release()


class AsStridedBackward0(Node):
    """A view re-expressed from its base after the base's history was rewritten, or the result
    of ``as_strided``.

    For ``as_strided`` (``memory`` given: the number of elements of the memory, and where the
    input's elements sit in it) the gradient is added up in a buffer shaped like the memory (an
    element the result holds twice gets both gradients), then read back at the input's
    elements."""

    def __init__(self, base, geom, memory=None):
        super().__init__(base)
        self.shape, self.geom, self.memory = base._data.shape, geom, memory

    def backward(self, grad):
        if self.memory is not None:
            size, inside = self.memory
            g = grad._data
            buf = _array.namespace(g).zeros(size, g.dtype)
            shape, strides, offset = self.geom
            _array.scatter_add(buf, _array.like(g, _addresses(shape, strides, offset)), g)
            return _wrap(buf[_array.like(g, inside)])
        out = _array.namespace(grad._data).zeros(self.shape, grad._data.dtype, order=self.geom[3])
        shape, strides, off, order = self.geom
        if strides is None or _may_overlap(shape, strides):
            # elements of the view that share memory (an expand: stride 0) each pass on their
            # gradient: add them up where a plain assignment would keep only the last
            at = off if strides is None else _array.like(out, _addresses(shape, strides, off))
            _array.scatter_add(out.reshape(-1, order=order), at, grad._data)
        else:
            _put(out, self.geom, grad._data)
        return _wrap(out)


def strided_geometry(t: Tensor, size: tuple, stride: tuple, offset: int) -> tuple:
    """What ``AsStridedBackward0`` needs for ``t.as_strided(size, stride, offset)``: the
    result's geometry in the memory of ``t``'s root, and where ``t``'s own elements sit there."""
    root = t if t._base is None else t._base
    memory, arr = root._data, t._data
    item = memory.itemsize
    start = (_array.address(arr) - _array.address(memory)) // item
    inside = _addresses(arr.shape, [s // item for s in arr.strides], start)
    return (size, stride, offset), (memory.size, inside)
