"""Adaptive pooling: choose the output size, the windows follow.

Along a dimension of size ``n`` pooled to ``o`` outputs, window ``i`` covers the input positions
``floor(i*n/o)`` up to (not including) ``ceil((i+1)*n/o)``: windows of nearly equal size that
cover the input, overlapping by one element where ``n/o`` is not a whole number.

When ``o`` divides ``n`` this is plain pooling with ``kernel_size = stride = n/o`` (the fast
strided views of ``_windows``). Otherwise the average is separable — average the
rows of each window, then the columns — so it is one small averaging matrix per dimension
(``A @ x @ B.T``); the maximum reads every window at the longest window's length, repeating each
window's last element to fill it (``_Gather``).
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from ... import _array
from ..._errors import not_implemented_for, not_tensor
from ..._tensor import Tensor, _wrap
from ...autograd.graph import attach
from ._windows import (
    LinearMapBackward,
    _avg_maps,
    _max_pool,
    _MaxBackward,
    _Windows,
    linear_op,
)


def _bounds(n: int, o: int):
    i = np.arange(o)
    return (i * n) // o, -((-(i + 1) * n) // o)


class _Gather:
    """Adaptive windows of varying size, read by fancy indexing: ``views[t]`` holds, for every
    output position, the element at place ``t`` of its window (clamped to the window's last
    element, so a repeat never changes the max and never comes before the original). The index
    arrays are NumPy's; on a GPU, copies on the device (made once, ``_on``) index its arrays."""

    needs_pad = False

    def __init__(self, in_size: tuple, out: tuple):
        self.in_size, self.out, self.idx, self._device_idx = in_size, out, [], None
        for n, o in zip(in_size, out):
            start, end = _bounds(n, o)
            longest = int((end - start).max())
            self.idx.append(np.minimum(start[:, None] + np.arange(longest), end[:, None] - 1))
        self.k = tuple(ix.shape[1] for ix in self.idx)
        # with o <= n the positions of one window place are distinct: `+=` adds each once
        self.distinct = all(len(np.unique(ix[:, j])) == ix.shape[0]
                            for ix in self.idx for j in range(ix.shape[1]))

    def _combos(self):
        return itertools.product(*[range(k) for k in self.k])

    def _on(self, a) -> list:
        """The index arrays, on the device of ``a``."""
        if _array.on_host(a):
            return self.idx
        if self._device_idx is None:
            self._device_idx = [_array.like(a, ix) for ix in self.idx]
        return self._device_idx

    def _index(self, combo: tuple, idx: list) -> tuple:
        if len(combo) == 1:
            return (Ellipsis, idx[0][:, combo[0]])
        return (Ellipsis, idx[0][:, combo[0]][:, None], idx[1][:, combo[1]][None, :])

    def pad(self, a: np.ndarray, fill) -> np.ndarray:
        return a

    def views(self, a: np.ndarray) -> list:
        idx = self._on(a)
        return [a[self._index(c, idx)] for c in self._combos()]

    def positions(self) -> list:
        w = self.in_size[-1]
        res = []
        for c in self._combos():
            if len(c) == 1:
                res.append(self.idx[0][:, c[0]])
            else:
                res.append(np.add.outer(self.idx[0][:, c[0]] * w, self.idx[1][:, c[1]]))
        return res

    def scatter(self, parts, lead: tuple, dtype, like) -> np.ndarray:
        grad = _array.namespace(like).zeros(lead + self.in_size, dtype)
        idx = self._on(like)
        for c, part in zip(self._combos(), parts):
            if self.distinct:
                grad[self._index(c, idx)] += part
            else:  # more outputs than inputs: windows share places (rare, not a hot path)
                _array.scatter_add(grad, self._index(c, idx), part)
        return grad


class AdaptiveAvgPool2DBackward0(LinearMapBackward):
    """Adaptive average pooling is linear: backward spreads each gradient over its window."""

    keeps_tensors = True


class AdaptiveAvgPool2DBackwardBackward0(LinearMapBackward):
    """Backward of adaptive average pooling's backward: adaptive average pooling again."""


class AdaptiveMaxPool2DBackwardBackward0(LinearMapBackward):
    """Backward of adaptive max pooling's backward: pick each window's maximum."""


class AdaptiveMaxPool2DBackward0(_MaxBackward):
    """Each output's gradient goes to its window's maximum (the first one on ties)."""

    back_cls = AdaptiveMaxPool2DBackwardBackward0


def _averaging_matrix(n: int, o: int, dtype) -> np.ndarray:
    """``(o, n)``: row ``i`` averages window ``i``."""
    start, end = _bounds(n, o)
    cols = np.arange(n)
    inside = (cols >= start[:, None]) & (cols < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)


def _adaptive_avg(input: Tensor, out: tuple) -> Tensor:
    """Adaptive average pooling of the last ``len(out)`` dims of ``input`` to the sizes ``out``."""
    x = input._data
    nd = len(out)
    in_size = x.shape[-nd:]
    lead = (math.prod(x.shape[:-nd]),)
    shape = (lead + in_size, lead + out)
    out_shape = x.shape[:-nd] + out
    if all(o > 0 and n % o == 0 for n, o in zip(in_size, out)):
        k = tuple(n // o for n, o in zip(in_size, out))
        win = _Windows(in_size, k, k, (0,) * nd, (1,) * nd, out)
        pool, spread = _avg_maps(win, x.dtype.type(math.prod(k)), shape, x.shape, out_shape)
        return linear_op(input, pool, spread, AdaptiveAvgPool2DBackward0,
                         AdaptiveAvgPool2DBackwardBackward0)
    mats = [_averaging_matrix(n, o, x.dtype) for n, o in zip(in_size, out)]

    def pool(a: np.ndarray) -> np.ndarray:
        m = [_array.like(a, mat) for mat in mats]
        r = a.reshape(shape[0]) @ m[-1].T
        return (m[0] @ r if nd == 2 else r).reshape(out_shape)

    def spread(g: np.ndarray) -> np.ndarray:
        m = [_array.like(g, mat) for mat in mats]
        r = g.reshape(shape[1]) @ m[-1]
        return (m[0].T @ r if nd == 2 else r).reshape(x.shape)

    return linear_op(input, pool, spread, AdaptiveAvgPool2DBackward0,
                         AdaptiveAvgPool2DBackwardBackward0)


def _adaptive_max(input: Tensor, out: tuple, return_indices: bool):
    """Adaptive max pooling of the last ``len(out)`` dims of ``input`` to the sizes ``out``."""
    x = input._data
    nd = len(out)
    in_size = x.shape[-nd:]
    if 0 in out:  # nothing to pool
        shape = x.shape[:-nd] + out
        xp = _array.namespace(x)
        res = attach(_wrap(xp.zeros(shape, x.dtype)), AdaptiveMaxPool2DBackward0, input,
                     geom=None, shape=None)
        return (res, _wrap(xp.zeros(shape, np.int64))) if return_indices else res
    if all(n % o == 0 for n, o in zip(in_size, out)):
        k = tuple(n // o for n, o in zip(in_size, out))
        geom = _Windows(in_size, k, k, (0,) * nd, (1,) * nd, out)
    else:
        geom = _Gather(in_size, out)
    return _max_pool(input, geom, return_indices, AdaptiveMaxPool2DBackward0)


# ---- argument checks ---------------------------------------------------------------------------
def _size2d(op: str, output_size, x: np.ndarray) -> tuple:
    if isinstance(output_size, (int, np.integer)):
        return (int(output_size),) * 2
    sizes = tuple(output_size)
    if len(sizes) != 2:
        if op == "adaptive_max_pool2d":
            raise RuntimeError(
                "adaptive_max_pool2d(): internal error: output_size.size() must be 2"
            )
        raise RuntimeError("adaptive_avg_pool2d: output_size must be 2")
    for i, v in enumerate(sizes):
        if v is not None and not isinstance(v, (int, np.integer)):
            raise TypeError(
                f"{op}(): argument 'output_size' (position 2) must be tuple of ints, but found "
                f"element of type {type(v).__name__} at pos {i}"
            )
    return tuple(int(x.shape[-2 + i] if v is None else v) for i, v in enumerate(sizes))


def _size1d(op: str, output_size) -> tuple:
    if isinstance(output_size, (int, np.integer)):
        return (int(output_size),)
    if output_size is None:
        raise TypeError(
            f"{op}(): argument 'output_size' (position 2) must be tuple of ints, not NoneType"
        )
    sizes = tuple(output_size)
    if len(sizes) != 1:
        raise RuntimeError(
            f"{op}() argument 'output_size' should contain one int (got {len(sizes)})"
        )
    if not isinstance(sizes[0], (int, np.integer)):
        raise TypeError(
            f"{op}(): argument 'output_size' (position 2) must be tuple of ints, but found "
            f"element of type {type(sizes[0]).__name__} at pos 0"
        )
    return (int(sizes[0]),)


def _check_input(op: str, x: np.ndarray, nd: int, first_dim: int, report: str | None = None):
    """torch's rank, emptiness and dtype checks of adaptive pooling."""
    if x.ndim not in (nd + 1, nd + 2):
        if nd == 1:
            raise RuntimeError(
                f"Expected 2 to 3 dimensions, but got {x.ndim}-dimensional tensor for argument "
                f"#1 'self' (while checking arguments for {op})"
            )
        colon = ":" if op == "adaptive_max_pool2d" else ""
        raise RuntimeError(f"{op}(): Expected 3D or 4D tensor, but got{colon} {list(x.shape)}")
    shape = list(x.shape)
    start = x.ndim - nd - 1 + first_dim
    for i in range(start, x.ndim):
        if shape[i] == 0:
            if report:  # torch checks the 1-d op as a 2-d one of shape (..., 1, L)
                shape, i = shape[:-1] + [1, shape[-1]], i + 1
            raise RuntimeError(
                f"{report or op}(): Expected input to have non-zero size for non-batch "
                f"dimensions, but input has sizes {shape} with dimension {i} being empty"
            )
    kernel = "adaptive_avg_pool2d" if "avg" in op else "adaptive_max_pool2d"
    if x.dtype.kind != "f":
        raise not_implemented_for(kernel, x.dtype)


def _check_nonnegative(op: str, out: tuple, x: np.ndarray) -> None:
    if min(out) >= 0:
        return
    if "avg" in op:
        shown = ", ".join(str(v) for v in ((1,) + out if len(out) == 1 else out))
        raise RuntimeError(
            "adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 "
            f"but received {{{shown}}}"
        )
    full = list(x.shape[:-len(out)]) + ([1] if len(out) == 1 else []) + list(out)
    raise RuntimeError(
        f"Trying to create tensor with negative dimension {min(out)}: {full}"
    )


# ---- the ops -----------------------------------------------------------------------------------
def adaptive_avg_pool2d(input: Tensor, output_size) -> Tensor:
    """2-d average pooling to a chosen output size ``(H_out, W_out)``.

    Args:
        input: ``(N, C, H, W)`` or unbatched ``(C, H, W)``.
        output_size: an int (square), or ``(H_out, W_out)``; ``None`` keeps that input size.

    Shape:
        Output ``(N, C, H_out, W_out)``. Window ``i`` along H covers rows
        ``floor(i*H/H_out)`` to ``ceil((i+1)*H/H_out) - 1``.

    Example::

        >>> F.adaptive_avg_pool2d(torch.ones(8, 64, 7, 7), 1).shape  # global average pooling
        torch.Size([8, 64, 1, 1])
    """
    if not isinstance(input, Tensor):
        raise not_tensor("adaptive_avg_pool2d", input)
    x = input._data
    out = _size2d("adaptive_avg_pool2d", output_size, x)
    _check_nonnegative("adaptive_avg_pool2d", out, x)
    _check_input("adaptive_avg_pool2d", x, 2, first_dim=1)
    if out == (1, 1):  # global average pooling: torch records it as a mean
        return input.mean((-2, -1), keepdim=True)
    return _adaptive_avg(input, out)


def adaptive_avg_pool1d(input: Tensor, output_size) -> Tensor:
    """1-d average pooling of ``(N, C, L)`` or ``(C, L)`` to ``output_size`` positions (an int).

    Example::

        >>> F.adaptive_avg_pool1d(torch.tensor([[[1., 2., 3., 4., 5.]]]), 2)
        tensor([[[2., 4.]]])
    """
    if not isinstance(input, Tensor):
        raise not_tensor("adaptive_avg_pool1d", input)
    x = input._data
    out = _size1d("adaptive_avg_pool1d", output_size)
    _check_input("adaptive_avg_pool1d", x, 1, first_dim=1, report="adaptive_avg_pool2d")
    _check_nonnegative("adaptive_avg_pool1d", out, x)
    # as torch: the 2-d pooling of a (N, C, 1, L) view, its row squeezed away again
    return _adaptive_avg(input.unsqueeze(-2), (1,) + out).squeeze(-2)


def adaptive_max_pool2d(input: Tensor, output_size, return_indices: bool = False):
    """2-d max pooling to a chosen output size ``(H_out, W_out)``.

    Args:
        input: ``(N, C, H, W)`` or unbatched ``(C, H, W)``.
        output_size: an int (square), or ``(H_out, W_out)``; ``None`` keeps that input size.
        return_indices: also return where each maximum was (flat indices into ``H*W``).

    Shape:
        Output ``(N, C, H_out, W_out)``; the windows as in :func:`adaptive_avg_pool2d`.

    Example::

        >>> F.adaptive_max_pool2d(torch.arange(16.).view(1, 1, 4, 4), 2)
        tensor([[[[ 5.,  7.],
                  [13., 15.]]]])
    """
    if not isinstance(input, Tensor):
        raise not_tensor("adaptive_max_pool2d", input)
    x = input._data
    out = _size2d("adaptive_max_pool2d", output_size, x)
    _check_input("adaptive_max_pool2d", x, 2, first_dim=0)
    _check_nonnegative("adaptive_max_pool2d", out, x)
    return _adaptive_max(input, out, return_indices)


def adaptive_max_pool1d(input: Tensor, output_size, return_indices: bool = False):
    """1-d max pooling of ``(N, C, L)`` or ``(C, L)`` to ``output_size`` positions (an int).

    Example::

        >>> F.adaptive_max_pool1d(torch.tensor([[[1., 5., 3., 4., 2.]]]), 2)
        tensor([[[5., 4.]]])
    """
    if not isinstance(input, Tensor):
        raise not_tensor("adaptive_max_pool1d", input)
    x = input._data
    out = _size1d("adaptive_max_pool1d", output_size)
    _check_input("adaptive_max_pool1d", x, 1, first_dim=0)
    _check_nonnegative("adaptive_max_pool1d", out, x)
    # as torch: the 2-d pooling of a (N, C, 1, L) view, its row squeezed away again
    pooled = _adaptive_max(input.unsqueeze(-2), (1,) + out, return_indices)
    if return_indices:
        return pooled[0].squeeze(-2), pooled[1].squeeze(-2)
    return pooled.squeeze(-2)


def adaptive_max_pool2d_with_indices(input: Tensor, output_size, return_indices: bool = False):
    """``adaptive_max_pool2d`` that always returns ``(output, indices)``."""
    return adaptive_max_pool2d(input, output_size, True)


__all__ = ["adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool1d",
           "adaptive_max_pool2d", "adaptive_max_pool2d_with_indices"]
