"""``PixelShuffle`` and ``PixelUnshuffle``: channels traded for resolution and back, as layers
(``F.pixel_shuffle`` / ``F.pixel_unshuffle``). No parameters."""

from __future__ import annotations

from ..._tensor import Tensor
from .. import functional as F
from .module import Module


class PixelShuffle(Module):
    """``(*, C * r², H, W)`` → ``(*, C, H * r, W * r)``: the sub-pixel upsampler that follows a
    convolution with ``C * r²`` output channels.

    Args:
        upscale_factor (int): ``r``, the factor by which height and width grow.

    Example::

        >>> nn.PixelShuffle(3)(torch.randn(1, 9, 4, 4)).shape
        torch.Size([1, 1, 12, 12])
    """

    __constants__ = ["upscale_factor"]

    def __init__(self, upscale_factor: int) -> None:
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input: Tensor) -> Tensor:
        return F.pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """``(*, C, H * r, W * r)`` → ``(*, C * r², H, W)``: the inverse of ``PixelShuffle``.

    Args:
        downscale_factor (int): ``r``, the factor by which height and width shrink.

    Example::

        >>> nn.PixelUnshuffle(3)(torch.randn(1, 1, 12, 12)).shape
        torch.Size([1, 9, 4, 4])
    """

    __constants__ = ["downscale_factor"]

    def __init__(self, downscale_factor: int) -> None:
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input: Tensor) -> Tensor:
        return F.pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"


__all__ = ["PixelShuffle", "PixelUnshuffle"]
