"""Sliding blocks: ``unfold`` (im2col) and its adjoint ``fold`` (col2im).

``unfold`` copies every ``kH x kW`` window of a padded image into a column::

    x (N, C, H, W)  →  cols (N, C * kH * kW, L),    L = Ho * Wo windows

a column's rows are ordered channel first, then kernel row, then kernel column; the windows are
ordered row by row. A convolution is then one matrix product, ``W (C_out, C*kH*kW) @ cols``
(this is how ``conv2d`` computes, in ``_im2col``). ``fold`` goes the other way: it adds each
column back at its window's place in an ``output_size`` image, *summing* where windows overlap,
so ``fold(unfold(x))`` is ``x`` times how many windows cover each pixel. Each is the other's
gradient: the backward of ``unfold`` is a ``fold`` and the backward of ``fold`` an ``unfold``.

``Ho = (H + 2 pH - dH (kH - 1) - 1) // sH + 1`` (and ``Wo`` alike), as for a convolution.
"""

from __future__ import annotations

import numpy as np

from ..._dtype import scalar_name
from ..._errors import not_tensor
from ..._tensor import Tensor, _wrap
from ...autograd.graph import Node, attach
from ._elementwise import contiguous
from ._im2col import _col2im, _im2col, out_size


def _pair(name: str, value) -> tuple:
    """An int or a 2-sequence of ints as a pair (torch's message for any other length)."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise RuntimeError(f"It is expected {name} equals to 2, but got size {len(value)}")
        return int(value[0]), int(value[1])
    return int(value), int(value)


def _geometry(kernel_size, dilation, padding, stride) -> tuple:
    """``(kernel, dilation, padding, stride)`` as pairs, checked as torch checks them."""
    k, d = _pair("kernel_size", kernel_size), _pair("dilation", dilation)
    p, s = _pair("padding", padding), _pair("stride", stride)
    for label, key, v, low, rule in (
        ("kernel size", "kernel", k, 1, "should be greater than zero"),
        ("stride", "stride", s, 1, "should be greater than zero"),
        ("dilation", "dilation", d, 1, "should be greater than zero"),
        ("padding", "pad", p, 0, "should be non-negative"),
    ):
        if min(v) < low:
            raise RuntimeError(f"{label} {rule}, but got {key}_height: {v[0]} {key}_width: {v[1]}")
    return k, d, p, s


def _blocks(spatial, k, d, p, s) -> tuple:
    """The number of windows along each axis, ``(Ho, Wo)``."""
    return tuple(out_size(spatial[a], p[a], p[a], k[a], s[a], d[a]) for a in range(2))


def _need_float(x: np.ndarray, kernel: str) -> None:
    if x.dtype.kind not in "fc":
        raise NotImplementedError(f'"{kernel}" not implemented for \'{scalar_name(x)}\'')


# ---- unfold ------------------------------------------------------------------------------------
def unfold(input: Tensor, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Every sliding ``kernel_size`` window of ``input`` as a column (im2col).

    ``input`` (N, C, H, W) or (C, H, W) → (N, C * kH * kW, L) or (C * kH * kW, L), with
    ``L = Ho * Wo`` the number of windows. ``dilation``, ``padding`` and ``stride`` (ints or
    pairs) mean what they mean for ``conv2d``.

    Example::

        >>> F.unfold(torch.arange(16.).reshape(1, 1, 4, 4), kernel_size=2, stride=2)[0]
        tensor([[ 0.,  2.,  8., 10.],
                [ 1.,  3.,  9., 11.],
                [ 4.,  6., 12., 14.],
                [ 5.,  7., 13., 15.]])
    """
    if not isinstance(input, Tensor):
        raise not_tensor("im2col", input)
    x = input._data
    batched = x.ndim != 3
    if not batched:  # one image: computed as a batch of one, recorded on the input itself
        x = x[None]
    if x.ndim < 3:
        raise IndexError(f"Dimension out of range (expected to be in range of "
                         f"[{-max(x.ndim, 1)}, {max(x.ndim, 1) - 1}], but got 2)")
    if x.ndim != 4 or 0 in x.shape[1:]:
        raise RuntimeError(
            "Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero "
            f"dimensions for input, but got: {list(input.shape)}"
        )
    k, d, p, s = _geometry(kernel_size, dilation, padding, stride)
    blocks = _blocks(x.shape[2:], k, d, p, s)
    if min(blocks) < 1:
        raise RuntimeError(
            f"Given input with spatial size ({x.shape[2]}, {x.shape[3]}), kernel_size={k}, "
            f"dilation={d}, padding={p}, calculated shape of the array of sliding blocks as "
            f"({blocks[0]}, {blocks[1]}), but its components must be at least one."
        )
    _need_float(x, "im2col_out_cpu")
    n, c = x.shape[:2]
    cols = _im2col(x, k, s, d, ((p[0], p[0]), (p[1], p[1])), blocks)  # (C*kH*kW, L*N)
    out = cols.reshape(c * k[0] * k[1], blocks[0] * blocks[1], n).transpose(2, 0, 1)
    out = contiguous(out if batched else out[0])
    return attach(_wrap(out), Im2ColBackward0, input, geometry=(k, d, p, s),
                  spatial=x.shape[2:])


class Im2ColBackward0(Node):
    """Backward of ``unfold``: each column's gradient added back at its window (a ``fold``).
    Keeps the geometry and the input's (H, W)."""

    def __init__(self, input, *, geometry, spatial):
        super().__init__(input)
        self.geometry, self.spatial = geometry, spatial

    def backward(self, grad):
        return fold(grad, self.spatial, *self.geometry)


# ---- fold --------------------------------------------------------------------------------------
def fold(input: Tensor, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Sum columns of window values back into an image (col2im): the adjoint of ``unfold``.

    ``input`` (N, C * kH * kW, L) or (C * kH * kW, L) → (N, C, H, W) or (C, H, W) with
    ``(H, W) = output_size``; ``L`` must be the number of windows ``unfold`` would take from
    such an image. Where windows overlap their values add up.

    Example::

        >>> x = torch.ones(1, 1, 3, 3)
        >>> F.fold(F.unfold(x, 2), (3, 3), 2)[0, 0]     # how many windows cover each pixel
        tensor([[1., 2., 1.],
                [2., 4., 2.],
                [1., 2., 1.]])
    """
    if not isinstance(input, Tensor):
        raise not_tensor("col2im", input)
    x = input._data
    batched = not (x.ndim == 2 and 0 not in x.shape)
    if not batched:
        x = x[None]
    if x.ndim != 3 or 0 in x.shape[1:]:
        raise RuntimeError(
            "Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and "
            f"non-zero dimensions for input, but got: {list(input.shape)}"
        )
    size = _pair("output_size", output_size)
    k, d, p, s = _geometry(kernel_size, dilation, padding, stride)
    if x.shape[1] % (k[0] * k[1]):
        raise RuntimeError(
            "Expected size of input's dimension 1 to be divisible by the product of kernel_size, "
            f"but got input.size(1)={x.shape[1]} and kernel_size={k}."
        )
    blocks = _blocks(size, k, d, p, s)
    if min(blocks) < 1 or blocks[0] * blocks[1] != x.shape[2]:
        raise RuntimeError(
            f"Given output_size={size}, kernel_size={k}, dilation={d}, padding={p}, stride={s}, "
            "expected size of input's dimension 2 to match the calculated number of sliding "
            f"blocks {blocks[0]} * {blocks[1]} = {blocks[0] * blocks[1]}, but got "
            f"input.size(2)={x.shape[2]}."
        )
    _need_float(x, "col2im_out_cpu")
    n, ckk = x.shape[:2]
    c = ckk // (k[0] * k[1])
    cols = contiguous(x.transpose(1, 2, 0)).reshape(ckk, -1)  # (C*kH*kW, L*N)
    out = _col2im(cols, (n, c) + size, k, s, d, ((p[0], p[0]), (p[1], p[1])), blocks)
    out = contiguous(out if batched else out[0])
    return attach(_wrap(out), Col2ImBackward0, input,
                  geometry=(k, d, p, s))


class Col2ImBackward0(Node):
    """Backward of ``fold``: each window's gradient read back out of the image (an
    ``unfold``). Keeps the geometry."""

    def __init__(self, input, *, geometry):
        super().__init__(input)
        self.geometry = geometry

    def backward(self, grad):
        return unfold(grad, *self.geometry)


__all__ = ["unfold", "fold"]
