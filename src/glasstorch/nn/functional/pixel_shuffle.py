"""Sub-pixel rearrangements: ``pixel_shuffle`` and its inverse ``pixel_unshuffle``.

``pixel_shuffle`` with factor ``r`` trades channels for resolution::

    (*, C * r * r, H, W)  →  (*, C, H * r, W * r)
    out[..., c, h * r + i, w * r + j] = in[..., c * r * r + i * r + j, h, w]

so the ``r * r`` channels of each group become an ``r x r`` block of pixels (the "sub-pixel
convolution" upsampler: a convolution with ``C * r * r`` outputs, then this). No arithmetic:
one reshape, one transpose, one copy. ``pixel_unshuffle`` is the exact inverse, and each is the
other's backward.
"""

from __future__ import annotations

import numpy as np

from ..._errors import not_tensor
from ..._tensor import Tensor, _wrap
from ...autograd.graph import Node, attach
from ._elementwise import contiguous


def _check(fn: str, input, factor, name: str) -> np.ndarray:
    if not isinstance(input, Tensor):
        raise not_tensor(fn, input)
    if not isinstance(factor, (int, np.integer)) or isinstance(factor, bool):
        raise TypeError(f"{fn}(): argument '{name}' (position 2) must be int, not "
                        f"{type(factor).__name__}")
    x = input._data
    if x.ndim < 3:
        raise RuntimeError(f"{fn} expects input to have at least 3 dimensions, but got input "
                           f"with {x.ndim} dimension(s)")
    if factor <= 0:
        raise RuntimeError(f"{fn} expects a positive {name}, but got {factor}")
    return x


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """``(*, C * r², H, W)`` → ``(*, C, H * r, W * r)``, ``r = upscale_factor``: each group of
    ``r²`` channels becomes an ``r x r`` block of pixels.

    Example::

        >>> F.pixel_shuffle(torch.arange(4.).reshape(1, 4, 1, 1), 2)[0, 0]
        tensor([[0., 1.],
                [2., 3.]])
    """
    x = _check("pixel_shuffle", input, upscale_factor, "upscale_factor")
    r = int(upscale_factor)
    *lead, c, h, w = x.shape
    if c % (r * r):
        raise RuntimeError(
            "pixel_shuffle expects its input's 'channel' dimension to be divisible by the square "
            f"of upscale_factor, but input.size(-3)={c} is not divisible by {r * r}"
        )
    k = len(lead)
    blocks = x.reshape(*lead, c // (r * r), r, r, h, w)  # (..., C, i, j, H, W)
    order = tuple(range(k + 1)) + (k + 3, k + 1, k + 4, k + 2)  # (..., C, H, i, W, j)
    out = contiguous(blocks.transpose(order)).reshape(*lead, c // (r * r), h * r, w * r)
    return attach(_wrap(out), PixelShuffleBackward0, input, factor=r)


class PixelShuffleBackward0(Node):
    """Backward of ``pixel_shuffle``: the gradient rearranged back (a ``pixel_unshuffle``)."""

    def __init__(self, input, *, factor: int):
        super().__init__(input)
        self.factor = factor

    def backward(self, grad):
        return pixel_unshuffle(grad, self.factor)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """``(*, C, H * r, W * r)`` → ``(*, C * r², H, W)``, ``r = downscale_factor``: each
    ``r x r`` block of pixels becomes ``r²`` channels (the inverse of ``pixel_shuffle``).

    Example::

        >>> F.pixel_unshuffle(torch.arange(4.).reshape(1, 1, 2, 2), 2).flatten()
        tensor([0., 1., 2., 3.])
    """
    x = _check("pixel_unshuffle", input, downscale_factor, "downscale_factor")
    r = int(downscale_factor)
    *lead, c, h, w = x.shape
    for axis, size, offset in (("height", h, -2), ("width", w, -1)):
        if size % r:
            raise RuntimeError(
                f"pixel_unshuffle expects {axis} to be divisible by downscale_factor, but "
                f"input.size({offset})={size} is not divisible by {r}"
            )
    k = len(lead)
    blocks = x.reshape(*lead, c, h // r, r, w // r, r)  # (..., C, H, i, W, j)
    order = tuple(range(k + 1)) + (k + 2, k + 4, k + 1, k + 3)  # (..., C, i, j, H, W)
    out = contiguous(blocks.transpose(order)).reshape(*lead, c * r * r, h // r, w // r)
    return attach(_wrap(out), PixelUnshuffleBackward0, input, factor=r)


class PixelUnshuffleBackward0(Node):
    """Backward of ``pixel_unshuffle``: the gradient rearranged back (a ``pixel_shuffle``)."""

    def __init__(self, input, *, factor: int):
        super().__init__(input)
        self.factor = factor

    def backward(self, grad):
        return pixel_shuffle(grad, self.factor)


__all__ = ["pixel_shuffle", "pixel_unshuffle"]
