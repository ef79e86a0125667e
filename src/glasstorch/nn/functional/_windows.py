"""The machinery shared by the pooling, padding and resampling ops (the bottom layer of these
families: ``pooling``, ``pooling_adaptive``, ``padding`` and ``resample`` import it; it imports
none of them).

- ``linear_op`` / ``LinearMapBackward``: every op of these families is a linear map of its input
  (once the elements a max pooling picks are fixed), so its backward is the adjoint map and the
  backward of that is the map again: recorded this way, higher derivatives come for free.
- ``take_adjoint``: the adjoint of a gather ``np.take(a, idx, axis)`` (padding, resampling).
- ``_Windows``: the geometry of a sliding window (kernel, stride, padding, dilation) as one
  strided view of the input per position inside the window, and the adjoint ``scatter``.
- max pooling (``_max_pool``, ``_MaxBackward``) and its choice of maxima (``_argmax_masks``),
  with torch's tie and NaN rules.
- torch's argument checks and messages for pooling.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from ... import _array, _parallel
from ..._errors import not_implemented_for
from ..._tensor import Tensor, _wrap
from ...autograd.graph import Node, attach


# ---- a linear map and its adjoint: the backward of every op in this family -------------------
def linear_op(input: Tensor, fn, adjoint, node_cls: type, adjoint_cls: type) -> Tensor:
    """``fn(input)`` for a map ``fn`` (on arrays) that is linear in ``input``; backward applies
    ``adjoint`` (its transpose). ``node_cls``/``adjoint_cls`` are the grad_fn classes of the map
    and of its adjoint (``AvgPool2DBackward0`` / ``AvgPool2DBackwardBackward0``)."""
    res = _wrap(fn(input._data))
    return attach(res, node_cls, input, fn=fn, adjoint=adjoint, adjoint_cls=adjoint_cls)


class LinearMapBackward(Node):
    """Backward of ``linear_op``: the adjoint map on the output gradient, itself recorded as a
    linear op (whose adjoint is the forward map) when ``create_graph=True`` asks for a graph.

    The two maps are NumPy functions (closures over the index arrays, masks or weights they
    need), kept with ``save``.
    """

    # True where torch's node keeps tensors for its backward (pooling; reflect, replicate and
    # circular padding): after a backward without retain_graph the maps are freed, so a second
    # backward is torch's "backward through the graph a second time" error. Constant padding and
    # upsampling keep only sizes, in torch as here: their maps survive a backward.
    keeps_tensors = False

    def __init__(self, input, *, fn, adjoint, adjoint_cls: type):
        super().__init__(input)
        self.save(fn, adjoint)
        self.adjoint_cls = adjoint_cls

    def release(self):
        if self.keeps_tensors:
            super().release()

    def backward(self, grad):
        fn, adjoint = self.saved_tensors
        return linear_op(grad, adjoint, fn, self.adjoint_cls, type(self))


def _adjoint_plan(idx: np.ndarray) -> list:
    """How to add ``g[j]`` into ``res[idx[j]]`` with slices: rounds in which each target appears
    once (first reads of a position, then second reads...), each cut into runs where both the
    source and the target positions step evenly. A pad or an upsampling needs 2 or 3 runs."""
    if len(idx) == 0:
        return []
    order = np.argsort(idx, kind="stable")
    sorted_idx = idx[order]
    first = np.r_[True, sorted_idx[1:] != sorted_idx[:-1]]
    rank = np.arange(len(idx)) - np.maximum.accumulate(np.where(first, np.arange(len(idx)), 0))
    plan = []
    for r in range(int(rank.max()) + 1):
        src, dst = order[rank == r].tolist(), sorted_idx[rank == r].tolist()
        start, m = 0, len(src)
        while start < m:
            end = start + 1
            ds, dd = (src[end] - src[start], dst[end] - dst[start]) if end < m else (1, 1)
            while end < m and src[end] - src[end - 1] == ds and dst[end] - dst[end - 1] == dd:
                end += 1
            length = end - start
            plan.append((r, _slice(src[start], ds, length), _slice(dst[start], dd, length)))
            start = end
    return plan


def _slice(start: int, step: int, length: int) -> slice:
    stop = start + step * (length - 1) + (1 if step > 0 else -1)
    return slice(start, stop if stop >= 0 else None, step)


def take_adjoint(g: np.ndarray, idx: np.ndarray, n: int, axis: int) -> np.ndarray:
    """The adjoint of ``np.take(a, idx, axis)`` for ``a`` of size ``n`` along ``axis``: each slice
    of ``g`` is added to position ``idx[j]`` — with a few basic-slice adds (``_adjoint_plan``), no
    ``np.add.at``. ``idx`` is a NumPy array (the plan is made on the host), ``g`` may be a device
    array."""
    axis %= g.ndim
    shape = list(g.shape)
    shape[axis] = n
    covered = len(np.unique(idx)) == n
    xp = _array.namespace(g)
    res = (xp.empty if covered else xp.zeros)(shape, g.dtype)
    lead = (slice(None),) * axis
    for rnd, src, dst in _adjoint_plan(np.asarray(idx)):
        if rnd == 0:
            res[lead + (dst,)] = g[lead + (src,)]
        else:
            res[lead + (dst,)] += g[lead + (src,)]
    return res


# ---- argument checks ---------------------------------------------------------------------------
def _ctrunc_half(v: int) -> int:
    """``v / 2`` rounded toward zero (C integer division), as torch's checks compute it."""
    return -((-v) // 2) if v < 0 else v // 2


def _tuple(value, n: int, msg: str, allow_none: bool = False):
    """An int or a sequence of 1 or ``n`` ints as an ``n``-tuple; RuntimeError ``msg`` otherwise."""
    if value is None and allow_none:
        return None
    if isinstance(value, (int, np.integer)):
        return (int(value),) * n
    seq = tuple(int(v) for v in value)
    if allow_none and len(seq) == 0:
        return None
    if len(seq) == 1:
        return seq * n
    if len(seq) != n:
        raise RuntimeError(msg.format(len(seq)))
    return seq


def _pool2d_args(op: str, kernel_size, stride, padding, dilation=1):
    k = _tuple(kernel_size, 2, f"{op}: kernel_size must either be a single int, or a tuple of "
                               "two ints")
    s = _tuple(stride, 2, f"{op}: stride must either be omitted, a single int, or a tuple of "
                          "two ints", allow_none=True) or k
    p = _tuple(padding, 2, f"{op}: padding must either be a single int, or a tuple of two ints")
    d = _tuple(dilation, 2, f"{op}: dilation must be either a single int, or a tuple of two ints")
    return k, s, p, d


def _check_float_or_int(x: np.ndarray, op: str) -> None:
    """Average pooling takes floating inputs and int64 (with a truncating division)."""
    if x.dtype.kind != "f" and x.dtype != np.int64:
        raise not_implemented_for(op, x.dtype)


def _output_size(n: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """Number of window positions along a dimension of size ``n`` (torch's rule, see above)."""
    if s == 0:
        raise RuntimeError("stride should not be zero")
    if p < 0:
        raise RuntimeError(f"pad must be non-negative, but got pad: {p}")
    if p > _ctrunc_half((k - 1) * d + 1):
        raise RuntimeError(
            f"pad should be at most half of effective kernel size, but got pad={p}, "
            f"kernel_size={k} and dilation={d}"
        )
    o = (n + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (o - 1) * s >= n + p:
        o -= 1  # the last window would start in the right padding: drop it
    return o


def _check_pool2d(shape: tuple, k, s, p, d, out, max_pool: bool) -> None:
    """torch's shape checks of 2-d pooling, in its order, once the output size is known."""
    if k[0] <= 0 or k[1] <= 0:
        raise RuntimeError(
            f"kernel size should be greater than zero, but got kH: {k[0]} kW: {k[1]}"
        )
    if s[0] <= 0 or s[1] <= 0:
        raise RuntimeError(f"stride should be greater than zero, but got dH: {s[0]} dW: {s[1]}")
    if d[0] <= 0 or d[1] <= 0:
        raise RuntimeError(
            f"dilation should be greater than zero, but got dilationH: {d[0]} dilationW: {d[1]}"
        )
    ndim = len(shape)
    if ndim not in (3, 4) and max_pool:
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    if ndim not in (3, 4) or 0 in shape[-3:]:
        raise RuntimeError(
            "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, "
            f"but got:{list(shape)}"
        )
    if k[1] // 2 < p[1] or k[0] // 2 < p[0]:
        raise RuntimeError(
            "pad should be smaller than or equal to half of kernel size, but got "
            f"padW = {p[1]}, padH = {p[0]}, kW = {k[1]}, kH = {k[0]}"
        )
    if out[0] < 1 or out[1] < 1:
        c, h, w = shape[-3:]
        raise RuntimeError(
            f"Given input size: ({c}x{h}x{w}). Calculated output size: ({c}x{out[0]}x{out[1]}). "
            "Output size is too small"
        )


# ---- windows -----------------------------------------------------------------------------------
class _Windows:
    """The geometry of a pooling over the last ``len(k)`` dimensions: sizes, padding, and one
    strided view per position inside the window (see the module docstring)."""

    def __init__(self, in_size: tuple, k: tuple, s: tuple, p: tuple, d: tuple, out: tuple):
        self.in_size, self.k, self.s, self.p, self.d, self.out = in_size, k, s, p, d, out
        # the padded extent the windows reach (with ceil_mode it can pass the right padding)
        self.reach = tuple((o - 1) * ss + dd * (kk - 1) + 1 for o, ss, dd, kk in zip(out, s, d, k))
        self.padded = tuple(max(r, n + 2 * pp) for r, n, pp in zip(self.reach, in_size, p))
        self.needs_pad = any(p) or any(r > n for r, n in zip(self.reach, in_size))
        # every input element in exactly one window: the views tile the input
        self.tiles = not self.needs_pad and all(
            kk == ss and (kk == 1 or dd == 1) and o * kk == n
            for kk, ss, dd, o, n in zip(k, s, d, out, in_size))
        self.disjoint = all(ss >= dd * (kk - 1) + 1 for kk, ss, dd in zip(k, s, d))

    def positions(self) -> list:
        """For each window position ``t``: the flat input index it reads, per output position."""
        nd = len(self.k)
        strides = [math.prod(self.in_size[i + 1:]) for i in range(nd)]
        res = []
        for combo in itertools.product(*[range(kk) for kk in self.k]):
            pos = 0
            for i in range(nd):
                start = (np.arange(self.out[i]) * self.s[i] - self.p[i] + combo[i] * self.d[i])
                pos = np.add.outer(pos, start * strides[i]) if i else start * strides[i]
            res.append(pos)
        return res

    def views(self, a: np.ndarray) -> list:
        """``views[t][..., o] = a[..., o*s + i_t*d]``: the ``t``-th place ``i_t`` of each window."""
        per_dim = [[slice(i * dd, i * dd + ss * (o - 1) + 1, ss) for i in range(kk)]
                   for kk, ss, dd, o in zip(self.k, self.s, self.d, self.out)]
        return [a[(Ellipsis, *combo)] for combo in itertools.product(*per_dim)]

    def pad(self, a: np.ndarray, fill) -> np.ndarray:
        if not self.needs_pad:
            return a
        nd = len(self.k)
        out = _array.namespace(a).full(a.shape[:-nd] + self.padded, fill, dtype=a.dtype)
        out[self._inner(nd)] = a
        return out

    def _inner(self, nd: int) -> tuple:
        return (Ellipsis, *[slice(pp, pp + n) for pp, n in zip(self.p, self.in_size)])

    def scatter(self, parts, lead: tuple, dtype, like) -> np.ndarray:
        """The adjoint of ``views``: add ``parts[t]`` back where view ``t`` reads from (into a
        new array on the device of ``like``)."""
        nd = len(self.k)
        shape = lead + (self.padded if self.needs_pad else self.in_size)
        xp = _array.namespace(like)
        grad = (xp.empty if self.tiles else xp.zeros)(shape, dtype)
        for v, part in zip(self.views(grad), parts):
            if self.disjoint:
                v[...] = part
            else:
                v += part
        return grad[self._inner(nd)] if self.needs_pad else grad


def _lowest(dtype: np.dtype):
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


# ---- max pooling -------------------------------------------------------------------------------
def _max_forward(views: list, out: np.ndarray) -> np.ndarray:
    """The elementwise maximum of the views, written into ``out``."""
    if len(views) == 1:
        np.copyto(out, views[0])
        return out
    np.maximum(views[0], views[1], out=out)
    for v in views[2:]:
        np.maximum(out, v, out=out)
    return out


def _in_blocks(body, shape: tuple, itemsize: int, window: int, like) -> None:
    """``body(start, stop)`` over blocks of the flattened leading axis of ``shape`` (input planes),
    in parts on the kernel pool (``_parallel``): each block's pad, views, masks and scatter stay
    in the core's cache. ``window`` is the number of places in a window (passes per plane). On a
    GPU (``like`` a device array), all planes at once."""
    plane = math.prod(shape[1:])
    _parallel.run(body, shape[0], shape[0] * plane * window,
                  _parallel.block_items(3 * plane * itemsize), like=like)


def _argmax_masks(x: np.ndarray, views: list, out: np.ndarray, geom) -> list:
    """One boolean array per window position: True where that position holds the window's
    maximum — the first one in the window on ties, the last NaN if there is one (as torch)."""
    valid = None
    if geom.needs_pad and (out == _lowest(x.dtype)).any():
        # a window whose maximum is the lowest value: padding must not be picked
        ones = _array.namespace(x).ones(x.shape[-len(geom.k):], bool)
        valid = geom.views(geom.pad(ones, False))
    masks, taken = [], None
    for t, v in enumerate(views):
        m = v == out
        if valid is not None:
            m &= valid[t]
        if taken is None:
            taken = m.copy()
        else:
            m &= ~taken
            taken |= m
        masks.append(m)
    if out.dtype.kind == "f" and np.isnan(out).any():
        seen = _array.namespace(out).zeros(out.shape, bool)
        for t in range(len(views) - 1, -1, -1):
            m = np.isnan(views[t]) & ~seen
            seen |= m
            masks[t] |= m
    return masks


def _flat_indices(masks: list, geom, shape: tuple) -> np.ndarray:
    """torch's ``indices``: the flat position of each maximum in its (unpadded) input plane."""
    idx = _array.namespace(masks[0]).zeros(shape, np.int64)
    for m, pos in zip(masks, geom.positions()):
        idx += m * _array.like(idx, pos)
    return idx


class _MaxBackward(Node):
    """Max pooling is linear once each window's maximum is known: the gradient of each output
    goes to the element it came from (summed where windows overlap). Which element that is gets
    worked out in backward, from the saved input and output; the backward is then a linear op
    (``linear_op``), recorded as ``back_cls`` when ``create_graph=True`` asks for a graph.

    ``geom`` is the windows' geometry (``_Windows``, adaptive pooling's ``_Gather``, or None for
    an empty output), ``shape`` the (input, output) shapes with the leading dims flattened.
    """

    keeps_output = True
    back_cls: type = None  # the node of the backward: MaxPool2DWithIndicesBackwardBackward0

    def __init__(self, input, *, geom, shape: tuple):
        super().__init__(input)
        self.save(input)
        self.geom, self.shape = geom, shape

    def backward(self, grad):
        (x,) = self.saved_tensors
        gather, scatter = _max_maps(x._data, self.saved_output._data, self.geom, self.shape)
        # (the third derivative's node has no torch name: torch records other ops there)
        return linear_op(grad, scatter, gather, self.back_cls, LinearMapBackward)


def _masked(g: np.ndarray, masks: list):
    """``g`` where each mask is True, else 0 — one mask at a time, in one reused buffer (each
    part is consumed before the next is made)."""
    buf = np.empty_like(g)
    finite = g.dtype.kind != "f" or bool(np.isfinite(g).all())
    for m in masks:
        if finite:  # (a multiply is several times faster than np.where, but inf * 0 is nan)
            np.multiply(g, m, out=buf)
        else:
            buf.fill(0)
            np.copyto(buf, g, where=m)
        yield buf


def _max_maps(x: np.ndarray, out: np.ndarray, geom, shape: tuple):
    """``(gather, scatter)``: the map that picks the chosen element (the maximum) of each window
    of ``x``, and its adjoint, which puts each gradient back there. ``out`` is the pooled ``x``.

    Both work block by block over the planes (``_in_blocks``), finding each block's maxima again
    from ``x`` and ``out``: nothing of the size of ``x`` times the window is ever kept."""
    if geom is None:  # an empty output: nothing is picked
        return ((lambda a: _array.namespace(a).zeros(out.shape, a.dtype)),
                (lambda g: _array.namespace(g).zeros(x.shape, g.dtype)))
    xb, ob = x.reshape(shape[0]), out.reshape(shape[1])
    window = math.prod(geom.k)

    def masks_of(a: int, b: int) -> list:
        xa = xb[a:b]
        return _argmax_masks(xa, geom.views(geom.pad(xa, _lowest(xb.dtype))), ob[a:b], geom)

    def gather(arr: np.ndarray) -> np.ndarray:
        arr = arr.reshape(shape[0])
        res = _array.namespace(arr).empty(shape[1], arr.dtype)

        def body(a, b):
            masks = masks_of(a, b)
            views = geom.views(geom.pad(arr[a:b], 0))
            np.copyto(res[a:b], np.where(masks[0], views[0], arr.dtype.type(0)))
            for m, v in zip(masks[1:], views[1:]):
                res[a:b] += np.where(m, v, arr.dtype.type(0))

        _in_blocks(body, shape[0], xb.itemsize, window, arr)
        return res.reshape(out.shape)

    def scatter(g: np.ndarray) -> np.ndarray:
        g = g.reshape(shape[1])
        res = _array.namespace(g).empty(x.shape, g.dtype)  # its own array: autograd keeps it
        planes = res.reshape(shape[0])

        def body(a, b):
            planes[a:b] = geom.scatter(_masked(g[a:b], masks_of(a, b)), (b - a,), g.dtype, g)

        _in_blocks(body, shape[0], xb.itemsize, window, g)
        return res

    return gather, scatter


def _max_pool(input: Tensor, geom, return_indices: bool, node_cls: type):
    """Max pooling of ``input`` over the windows of ``geom`` (``_Windows`` or ``_Gather``), block
    by block over the planes (``_in_blocks``)."""
    x = input._data
    nd = len(geom.k)
    shape = ((math.prod(x.shape[:-nd]),) + x.shape[-nd:], (math.prod(x.shape[:-nd]),) + geom.out)
    xb = x.reshape(shape[0])
    xp = _array.namespace(x)
    out = xp.empty(shape[1], x.dtype)
    idx = xp.empty(shape[1], np.int64) if return_indices else None

    def body(a, b):
        views = geom.views(geom.pad(xb[a:b], _lowest(x.dtype)))
        _max_forward(views, out[a:b])
        if idx is not None:
            masks = _argmax_masks(xb[a:b], views, out[a:b], geom)
            idx[a:b] = _flat_indices(masks, geom, (b - a,) + geom.out)

    _in_blocks(body, shape[0], x.itemsize, math.prod(geom.k), x)
    out_shape = x.shape[:-nd] + geom.out
    res = attach(_wrap(out.reshape(out_shape)), node_cls, input, geom=geom, shape=shape)
    if not return_indices:
        return res
    return res, _wrap(idx.reshape(out_shape))


# ---- average pooling as a map and its adjoint -----------------------------------------------
def _int_divide(total: np.ndarray, div) -> np.ndarray:
    """Integer average: the quotient rounded toward zero, as C's ``/``."""
    q = np.abs(total) // div
    return np.where(total < 0, -q, q).astype(total.dtype)


def _avg_maps(win: _Windows, div, shape: tuple, in_shape: tuple, out_shape: tuple):
    """``(pool, spread)``: average pooling over ``win`` and its adjoint, block by block over the
    planes on the kernel pool (``_in_blocks``). ``shape`` is (input, output) with the leading
    dims flattened; ``div`` what each window's sum is divided by (a number, or a NumPy array
    that goes to the device of the array pooled)."""
    window = math.prod(win.k)

    def pool(a: np.ndarray) -> np.ndarray:
        planes = a.reshape(shape[0])
        out = _array.namespace(a).empty(out_shape, a.dtype if a.dtype.kind == "f" else np.int64)
        d = _array.like(a, div) if type(div) is np.ndarray else div
        out_planes = out.reshape(shape[1])

        def body(p0, p1):
            views = win.views(win.pad(planes[p0:p1], 0))
            total = out_planes[p0:p1]
            if len(views) > 1:
                np.add(views[0], views[1], out=total)
            else:
                np.copyto(total, views[0])
            for v in views[2:]:
                total += v
            if a.dtype.kind != "f":
                total[...] = _int_divide(total, d)
            else:
                total /= d

        _in_blocks(body, shape[0], a.itemsize, window, a)
        return out

    def spread(g: np.ndarray) -> np.ndarray:
        g_planes = g.reshape(shape[1])
        # its own array: autograd keeps it
        res = _array.namespace(g).empty(in_shape, np.result_type(g.dtype, div))
        planes = res.reshape(shape[0])
        d = _array.like(g, div) if type(div) is np.ndarray else div

        def body(p0, p1):
            part = g_planes[p0:p1] / d
            parts = [part] * window  # the same share for every element of a window
            planes[p0:p1] = win.scatter(parts, (p1 - p0,), part.dtype, g)

        _in_blocks(body, shape[0], res.itemsize, window, g)
        return res

    return pool, spread


def _one(value, name: str, msg: str, allow_none: bool = False):
    if value is None and allow_none:
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    seq = list(value)
    if allow_none and not seq:
        return None
    if len(seq) != 1:
        raise RuntimeError(msg.format(len(seq)))
    return int(seq[0])


