"""Pooling as functions: max/avg pooling and their adaptive forms, vectorised over windows.

A pooling window of size ``k`` slides over each spatial dimension with step ``stride``; its
elements are ``dilation`` apart, and ``padding`` adds ``p`` virtual elements on both sides.
For an input of size ``n`` the output has ``floor((n + 2p - dilation*(k-1) - 1) / stride) + 1``
positions (``ceil`` instead of ``floor`` with ``ceil_mode=True``, as long as the last window
still starts inside the input or its left padding).

How it is computed: no loop over pixels. For each of the ``k*k`` positions *inside* the window
there is one strided view of the (padded) input holding, for every output position, the element
at that place of its window (``_Windows.views``). Max pooling is ``np.maximum`` over these views,
average pooling their sum. For LeNet's ``AvgPool2d(2)`` that is four slices of the input added
together — about 30x faster than a reshape to ``(N, C, H/2, 2, W/2, 2)`` and a mean over the
window axes, as NumPy's reductions over short inner axes are slow.

Every op here is linear in its input once the choice of elements is fixed (the window's maximum
for max pooling), so backward is the adjoint map: scatter each output gradient back into the
window views (``_windows`` has this machinery; the adaptive pools are in
``pooling_adaptive``).
"""

from __future__ import annotations

import math

import numpy as np

from ..._errors import not_implemented_for, not_tensor
from ..._tensor import Tensor
from ._windows import (
    LinearMapBackward,
    _avg_maps,
    _check_float_or_int,
    _check_pool2d,
    _max_pool,
    _MaxBackward,
    _one,
    _output_size,
    _pool2d_args,
    _Windows,
    linear_op,
)


class MaxPool2DWithIndicesBackwardBackward0(LinearMapBackward):
    """Backward of max pooling's backward: pick each window's maximum from the gradient."""


class MaxPool2DWithIndicesBackward0(_MaxBackward):
    """Backward of max pooling: each output's gradient goes to its window's maximum."""

    back_cls = MaxPool2DWithIndicesBackwardBackward0


def max_pool2d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False):
    """2-d max pooling: the largest value of each ``kernel_size`` window.

    Args:
        input: ``(N, C, H, W)`` or unbatched ``(C, H, W)``.
        kernel_size: window size, an int or ``(kH, kW)``.
        stride: step between windows (default: ``kernel_size``, windows side by side).
        padding: ``-inf`` added on both sides of each spatial dim (at most half the window).
        dilation: spacing between the elements of a window.
        ceil_mode: round the output size up, so a last partial window is kept.
        return_indices: also return where each maximum was, as flat indices into ``H*W``.

    Shape:
        ``H_out = floor((H + 2*padding - dilation*(kH-1) - 1) / stride + 1)`` (``ceil`` with
        ceil_mode), likewise ``W_out``: output ``(N, C, H_out, W_out)``.

    Example::

        >>> F.max_pool2d(torch.arange(16.).view(1, 1, 4, 4), 2)
        tensor([[[[ 5.,  7.],
                  [13., 15.]]]])
    """
    if not isinstance(input, Tensor):
        raise not_tensor("max_pool2d", input)
    x = input._data
    k, s, p, d = _pool2d_args("max_pool2d", kernel_size, stride, padding, dilation)
    if x.ndim not in (3, 4):
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    in_size = x.shape[-2:]
    out = tuple(_output_size(in_size[i], k[i], s[i], p[i], d[i], ceil_mode) for i in range(2))
    _check_pool2d(x.shape, k, s, p, d, out, max_pool=True)
    if x.dtype.kind == "b":
        raise NotImplementedError("\"max_pool2d\" not implemented for 'Bool'")
    win = _Windows(in_size, k, s, p, d, out)
    return _max_pool(input, win, return_indices, MaxPool2DWithIndicesBackward0)


def max_pool2d_with_indices(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode: bool = False, return_indices: bool = False):
    """``max_pool2d`` that always returns ``(output, indices)``."""
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool1d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False):
    """1-d max pooling over the last dimension of ``(N, C, L)`` or unbatched ``(C, L)``.

    Arguments as :func:`max_pool2d`, each a single int: ``L_out = floor((L + 2*padding -
    dilation*(kernel_size-1) - 1) / stride + 1)``; indices are positions in ``L``.

    Example::

        >>> F.max_pool1d(torch.tensor([[[1., 3., 2., 5., 4.]]]), 2)
        tensor([[[3., 5.]]])
    """
    if not isinstance(input, Tensor):
        raise not_tensor("max_pool1d", input)
    if return_indices:  # torch runs this one as a 2-d pooling of (N, C, 1, L), with its checks
        k, s, p, d = _args1d("max_pool1d", kernel_size, stride, padding, dilation)
        out = _check_1d_as_2d("max_pool1d", input._data, k, s, p, d, ceil_mode)
        if input._data.dtype.kind == "b":
            raise NotImplementedError("\"max_pool2d\" not implemented for 'Bool'")
    else:
        k, s, p, d, out = _check_max_pool1d(input._data, kernel_size, stride, padding, dilation,
                                            ceil_mode)
    # torch pools a (N, C, 1, L) view of the input as a 2-d image one row high, and squeezes the
    # row away again: its graph shows SqueezeBackward1 on top of the 2-d pooling, as here
    win = _Windows((1, input._data.shape[-1]), (1, k), (1, s), (0, p), (1, d), (1, out))
    pooled = _max_pool(input.unsqueeze(-2), win, return_indices, MaxPool2DWithIndicesBackward0)
    if return_indices:
        return pooled[0].squeeze(-2), pooled[1].squeeze(-2)
    return pooled.squeeze(-2)


def _args1d(op: str, kernel_size, stride, padding, dilation=1):
    msg = op + "() argument '{}' should contain one int (got {{}})"
    k = _one(kernel_size, "kernel_size", msg.format("kernel_size"))
    s = _one(stride, "stride", msg.format("stride"), allow_none=True)
    p = _one(padding, "padding", msg.format("padding"))
    d = _one(dilation, "dilation", msg.format("dilation"))
    return k, (k if s is None else s), p, d


def _check_1d_as_2d(op: str, x: np.ndarray, k: int, s: int, p: int, d: int,
                    ceil_mode: bool) -> int:
    if x.ndim not in (2, 3):
        raise RuntimeError(
            f"Expected 2 to 3 dimensions, but got {x.ndim}-dimensional tensor for argument #1 "
            f"'self' (while checking arguments for {op})"
        )
    out = _output_size(x.shape[-1], k, s, p, d, ceil_mode)
    shape4 = x.shape[:-1] + (1, x.shape[-1])
    _check_pool2d(shape4, (1, k), (1, s), (0, p), (1, d), (1, out), max_pool=False)
    return out


def _check_max_pool1d(x: np.ndarray, kernel_size, stride, padding, dilation, ceil_mode):
    """torch's own checks of ``max_pool1d`` (without indices)."""
    k = _one(kernel_size, "kernel_size", "max_pool1d() kernel_size must be an int, list of ints "
             "or tuple of ints of size 1 but got size {}")
    s = _one(stride, "stride", "max_pool1d() stride must be None, an int, list of ints, or tuple "
             "of ints of size 1 but got size {}", allow_none=True)
    s = k if s is None else s
    p = _one(padding, "padding", "max_pool1d() padding must be an int, list of ints, or tuple of "
             "ints of size 1 but got size {}")
    d = _one(dilation, "dilation", "max_pool1d() dilation must be an int, list of ints or tuple "
             "of ints of size 1 but got size {}")
    if x.ndim not in (2, 3) or 0 in x.shape[-2:]:
        raise RuntimeError(
            "max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size "
            f"for input, but got:{list(x.shape)}"
        )
    for name, v, least in (("kernel_size", k, 1), ("stride", s, 1), ("padding", p, 0),
                           ("dilation", d, 1)):
        if v < least:
            rule = "greater than zero" if least else "non-negative"
            raise RuntimeError(f"max_pool1d() {name} must be {rule}, but got {v}")
    if p > k // 2:
        raise RuntimeError(
            "max_pool1d() padding should be at most half of kernel size, but got "
            f"padding={p} and kernel_size={k}"
        )
    out = _output_size(x.shape[-1], k, s, p, d, ceil_mode)
    if out < 1:
        raise RuntimeError(f"max_pool1d() Invalid computed output size: {out}")
    if x.dtype.kind != "f":
        raise not_implemented_for("max_pool1d_impl", x.dtype)
    return k, s, p, d, out


# ---- average pooling ---------------------------------------------------------------------------
def _divisor(win: _Windows, count_include_pad: bool, divisor_override, dtype) -> np.ndarray:
    """What each window's sum is divided by: its size within the padded input (or without the
    padding when ``count_include_pad=False``), or ``divisor_override``."""
    if divisor_override is not None:
        return dtype.type(divisor_override) if dtype.kind == "f" else int(divisor_override)
    counts = []
    for n, k, s, p, o in zip(win.in_size, win.k, win.s, win.p, win.out):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, n + p)
        counts.append(end - start if count_include_pad
                      else np.minimum(end, n) - np.maximum(start, 0))
    div = counts[0] if len(counts) == 1 else np.multiply.outer(counts[0], counts[1])
    if (div == div.flat[0]).all():
        div = div.flat[0]
    return div.astype(dtype) if dtype.kind == "f" else div


class AvgPool2DBackward0(LinearMapBackward):
    """Each output is ``sum(window) / divisor``: its gradient, divided by the same divisor, goes
    to every element of its window (summed where windows overlap)."""

    keeps_tensors = True


class AvgPool2DBackwardBackward0(LinearMapBackward):
    """Backward of average pooling's backward: average pooling of the gradient."""


def _avg_pool(input: Tensor, win: _Windows, count_include_pad, divisor_override) -> Tensor:
    x = input._data
    nd = len(win.k)
    lead = (math.prod(x.shape[:-nd]),)
    shape = (lead + x.shape[-nd:], lead + win.out)
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.int64)
    div = _divisor(win, count_include_pad, divisor_override, dtype)
    pool, spread = _avg_maps(win, div, shape, x.shape, x.shape[:-nd] + win.out)
    return linear_op(input, pool, spread, AvgPool2DBackward0, AvgPool2DBackwardBackward0)


def avg_pool2d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """2-d average pooling: the mean of each ``kernel_size`` window.

    Args:
        input: ``(N, C, H, W)`` or unbatched ``(C, H, W)``.
        kernel_size: window size, an int or ``(kH, kW)``.
        stride: step between windows (default: ``kernel_size``).
        padding: zeros added on both sides of each spatial dim (at most half the window).
        ceil_mode: round the output size up, keeping a last partial window.
        count_include_pad: count the padding zeros in the divisor (a window's part past the
            right padding, with ceil_mode, is never counted).
        divisor_override: divide every sum by this number instead.

    Shape:
        ``H_out = floor((H + 2*padding - kH) / stride + 1)`` (``ceil`` with ceil_mode), likewise
        ``W_out``: output ``(N, C, H_out, W_out)``.

    Example::

        >>> F.avg_pool2d(torch.arange(16.).view(1, 1, 4, 4), 2)
        tensor([[[[ 2.5000,  4.5000],
                  [10.5000, 12.5000]]]])
    """
    if not isinstance(input, Tensor):
        raise not_tensor("avg_pool2d", input)
    x = input._data
    k, s, p, d = _pool2d_args("avg_pool2d", kernel_size, stride, padding)
    if x.ndim < 3:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [-{x.ndim}, {x.ndim - 1}], "
            "but got -3)"
        )
    out = tuple(_output_size(x.shape[-2 + i], k[i], s[i], p[i], 1, ceil_mode) for i in range(2))
    _check_pool2d(x.shape, k, s, p, d, out, max_pool=False)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    _check_float_or_int(x, "avg_pool2d")
    win = _Windows(x.shape[-2:], k, s, p, d, out)
    return _avg_pool(input, win, count_include_pad, divisor_override)


def avg_pool1d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """1-d average pooling over the last dimension of ``(N, C, L)`` or unbatched ``(C, L)``.

    Arguments as :func:`avg_pool2d`, each a single int: ``L_out = floor((L + 2*padding -
    kernel_size) / stride + 1)``.

    Example::

        >>> F.avg_pool1d(torch.tensor([[[1., 3., 2., 6.]]]), 2)
        tensor([[[2., 4.]]])
    """
    if not isinstance(input, Tensor):
        raise not_tensor("avg_pool1d", input)
    x = input._data
    k, s, p, _ = _args1d("avg_pool1d", kernel_size, stride, padding)
    out = _check_1d_as_2d("avg_pool1d", x, k, s, p, 1, ceil_mode)
    _check_float_or_int(x, "avg_pool2d")
    # as torch: a 2-d pooling of the (N, C, 1, L) view, its row squeezed away again
    win = _Windows((1, x.shape[-1]), (1, k), (1, s), (0, p), (1, 1), (1, out))
    return _avg_pool(input.unsqueeze(-2), win, count_include_pad, None).squeeze(-2)


__all__ = ["max_pool1d", "max_pool2d", "max_pool2d_with_indices", "avg_pool1d", "avg_pool2d"]
