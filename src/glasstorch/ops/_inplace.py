"""In-place ops: same object, new values, and a version bump autograd can check.

``x.add_(y)`` (and ``x += y``) keeps ``x``'s identity, as the learners' ``id()`` checks expect.
With no graph to record, the NumPy ufunc writes straight into ``x``'s array. When the graph is
being recorded, the op runs out of place on an alias of ``x``'s old value and the result is
copied back in: ``x`` then takes the new ``grad_fn``, so backward sees the op.

Every path bumps the version counter ``x._vc`` (shared with ``x``'s views), which is what lets
backward refuse to use a saved tensor that changed after it was saved.

The builders every in-place op uses live here: ``recording`` / ``in_graph`` (record or not),
``old_value`` (``x`` before the write), ``commit`` / ``rewrite_history`` (write, then give ``x``
the op's node), ``unrecorded`` (write with no graph), ``inplace_from`` (``scatter_`` from
``scatter``), ``write`` / ``write_out`` / ``apply_ufunc`` (copying values in, ``out=``).
``autograd.views.inplace_update`` does the graph surgery when ``x`` is a view.
"""

from __future__ import annotations

import numpy as np

from .. import _array, _dtype
from .._device import mixed
from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.graph import set_history
from ..autograd.views import _LEAF, check_multi_view, inplace_update, stand_in
from ..autograd.views import _VIEW_LEAF as _VIEW_OF_LEAF
from ._checks import check_overlap


def recording(t: Tensor, other=None) -> bool:
    """Whether an in-place op on ``t`` (with ``other``) must be recorded in the graph."""
    if not grad_mode.state.enabled:
        return False
    mv = t._multi_view
    if mv is not None and (t._rg or mv[1] == "no_grad" or isinstance(other, Tensor) and other._rg):
        check_multi_view(t)
    if t._rg:
        if t._grad_fn is None:
            raise RuntimeError(_LEAF)
        base = t._base
        if base is not None and base._grad_fn is None and base._rg:
            raise RuntimeError(_VIEW_OF_LEAF)
        return True
    return isinstance(other, Tensor) and other._rg


def in_graph(t: Tensor, other=None) -> bool:
    """Whether grad mode is on and ``t`` or the tensor ``other`` requires grad: an in-place op
    whose leaf checks are left to ``inplace_update`` (``recording`` makes them itself)."""
    return grad_mode.state.enabled and (t._rg or (isinstance(other, Tensor) and other._rg))


def unrecorded(t: Tensor, do_write) -> Tensor:
    """Run ``do_write()`` on ``t``'s array and bump its version: an in-place op with no graph."""
    do_write()
    t._vc[0] += 1
    return t


def old_value(t: Tensor) -> Tensor:
    """A tensor holding a copy of ``t``'s current values and its place in the graph."""
    return stand_in(t, t._data.copy())


def commit(t: Tensor, result: Tensor, op: str) -> Tensor:
    """Write ``result`` (computed out of place) into ``t``; ``t`` takes its grad_fn."""
    node = result._grad_fn
    rewrite_history(t, node, lambda: write(t, result._data, op))
    if node is not None and node._saved_out is not None:
        # a backward that uses its output (exp_, sigmoid_, tanh_...) now reads t itself, so a
        # later in-place change of t is caught by t's version counter, as in torch
        node.save_output(t)
    return t


def rewrite_history(t: Tensor, node, do_write) -> Tensor:
    """Run ``do_write()`` (which writes ``t``'s new values and bumps its version), then make
    ``node`` the history of ``t``. When ``t`` is a view, its base's history is rewritten as well
    (``autograd.views.inplace_update``: the base gets a ``CopySlices`` node), as torch does."""
    base = t._base
    if node is not None and base is not None and base is not t and base._rg == t._rg:
        return inplace_update(t, do_write, lambda old: node, bump=False)
    do_write()
    if node is not None:
        set_history(t, node)
    return t


def inplace_from(fn):
    """The in-place method ``fn_`` of an out-of-place op ``fn(self, ...)`` (``scatter_`` from
    ``scatter``): ``fn`` computes the new values (and, when recording, their node, whose first
    input is ``self`` as it was); they are copied into ``self``, which takes the node."""

    def method(self, *args, **kwargs):
        check_internal_overlap(self._data)
        res = fn(self, *args, **kwargs)
        node = res._grad_fn
        if node is None:
            return unrecorded(self, lambda: np.copyto(self._data, res._data))
        return inplace_update(self, lambda: np.copyto(self._data, res._data), lambda old: node)

    method.__name__ = fn.__name__ + "_"
    method.__doc__ = f"In-place ``{fn.__name__}`` (same object, version bumped)."
    return method


def inplace_of(fn, name: str, direct=None):
    """The in-place form of ``fn`` (``x.clamp_(0, 1)``): same object, version bumped.

    Recording a graph, ``fn`` runs on an alias of the old value and ``x`` takes the new grad_fn
    (see ``_inplace``); otherwise the result is written straight into ``x``'s array. A result that
    cannot be stored in ``x``'s dtype (float into an int tensor) is torch's RuntimeError.
    ``direct(array, *args)``, if given, may compute a float tensor's result right into its array
    (the fast path, no temporary); it returns False for arguments it leaves to ``fn``.
    """

    def method(self, *args, **kwargs):
        if type(self._data) is not np.ndarray and _array.on_host(self._data):
            self._data = np.array(self._data)  # a NumPy scalar (0-d result): give it an array
        record = recording(self)
        for v in (*args, *kwargs.values()) if kwargs else args:
            if isinstance(v, Tensor):
                check_overlap(self._data, v._data)  # x[1:].clamp_(min=x[:-1]) is refused
                if v._rg and grad_mode.state.enabled:  # an argument requiring grad records too
                    record = True
        if record:
            return commit(self, fn(old_value(self), *args, **kwargs), name)
        x = self._data
        if 0 in x.strides:
            check_internal_overlap(x)
        if direct is not None and type(x) is np.ndarray and x.dtype.kind == "f":
            if direct(x, *args, **kwargs):
                self._vc[0] += 1
                return self
        write(self, fn(self, *args, **kwargs)._data, name)
        return self

    method.__name__ = name
    method.__doc__ = f"In-place ``{fn.__name__}``: writes the result into this tensor (same id)."
    return method


def inplace_forms(*fns):
    """The in-place forms of one-input ops (``exp`` → ``exp_``), each written straight into a
    float tensor's array when the op has such a fast path (its ``into`` attribute)."""
    return tuple(inplace_of(f, f.__name__ + "_", getattr(f, "into", None)) for f in fns)


def write_out(res: Tensor, out):
    """Honour an op's ``out=`` argument: ``res`` itself when ``out`` is None, else ``res``
    copied into ``out`` (resized if its shape differs; same object returned)."""
    if out is None:
        return res
    if type(out._data) is not type(res._data) and _array.device_index(
            out._data) != _array.device_index(res._data):
        raise mixed(res._data, out._data)  # torch's error for an ``out=`` on another device
    if out._data.shape != res._data.shape:
        out._data = np.empty_like(out._data, shape=res._data.shape)
    write(out, res._data, "out")
    return out


_OVERLAP = ("unsupported operation: more than one element of the written-to tensor refers to a "
            "single memory location. Please clone() the tensor before performing the operation.")


def check_internal_overlap(arr: np.ndarray) -> None:
    """torch refuses an elementwise in-place op on a tensor in which two elements share memory (an
    ``expand`` that stretched a dimension: stride 0, size > 1); filling such a tensor is fine."""
    if 0 in arr.strides and arr.size:
        for n, s in zip(arr.shape, arr.strides):
            if s == 0 and n > 1:
                raise RuntimeError(_OVERLAP)


def write(t: Tensor, values, op: str) -> None:
    """Copy ``values`` into ``t``'s array (broadcasting as torch does) and bump its version.

    ``values`` must broadcast to ``t``'s shape *without growing it*: NumPy would also drop leading
    size-1 dimensions (a ``(1, 2)`` result into a ``(2,)`` tensor), torch refuses that."""
    arr = t._data
    shape = arr.shape
    vshape = np.shape(values)
    if vshape != shape and len(vshape) > len(shape):
        _refuse_broadcast(shape, vshape)
    check_internal_overlap(arr)
    try:
        np.copyto(arr, values, casting="same_kind")
    except TypeError:
        raise RuntimeError(
            f"result type {_dtype_name(values)} can't be cast to the desired output type "
            f"{_dtype_name(t._data)}"
        ) from None
    except ValueError:
        _refuse_write(arr, shape, vshape)
    t._vc[0] += 1


def apply_ufunc(t: Tensor, ufunc, y, op: str, other=None) -> Tensor:
    """``t = ufunc(t, y)`` written into ``t``'s own array (the no-graph path). ``other`` is the
    operand as the user gave it, for torch's wording of a failed cast."""
    x = t._data
    if 0 in x.strides:
        check_internal_overlap(x)
    try:
        ufunc(x, y, out=x, casting="same_kind")
    except TypeError:
        rt = _dtype.result_type(t, other if other is not None else y)
        if ufunc is np.true_divide and not rt.is_floating_point:
            rt = _dtype.get_default_dtype()
        raise RuntimeError(
            f"result type {_dtype_name(rt.np)} can't be cast to the desired output type "
            f"{_dtype_name(t._data)}"
        ) from None
    except ValueError:
        _refuse_write(x, x.shape, np.shape(y))
    t._vc[0] += 1
    return t


def _refuse_write(arr: np.ndarray, shape: tuple, vshape: tuple):
    """torch's error for a failed in-place write: memory that cannot be written, or shapes."""
    if not getattr(arr.flags, "writeable", True):  # (CuPy's arrays are always writeable)
        raise RuntimeError(_OVERLAP)
    _refuse_broadcast(shape, vshape)


def _refuse_broadcast(shape: tuple, vshape: tuple):
    """torch's error for an in-place result that would not fit ``shape`` (``vshape``: the other
    operand's shape)."""
    try:
        wide = list(np.broadcast_shapes(shape, vshape))
    except ValueError:
        n = max(len(shape), len(vshape))
        a, b = (1,) * (n - len(shape)) + tuple(shape), (1,) * (n - len(vshape)) + tuple(vshape)
        d = max(i for i in range(n) if a[i] != b[i] and 1 not in (a[i], b[i]))
        raise RuntimeError(f"The size of tensor a ({a[d]}) must match the size of tensor b "
                           f"({b[d]}) at non-singleton dimension {d}") from None
    raise RuntimeError(f"output with shape {list(shape)} doesn't match the broadcast shape {wide}")


def _dtype_name(v) -> str:
    """torch's word for the dtype of ``v`` (a dtype, array or value): "Float", "Long"."""
    if not isinstance(v, (np.dtype, _dtype.dtype, Tensor)):
        v = v.dtype if hasattr(v, "dtype") else np.asarray(v).dtype
    return _dtype.scalar_name(v)
