"""``Unfold`` and ``Fold``: sliding blocks as layers (``F.unfold`` / ``F.fold``, im2col and its
adjoint col2im). No parameters; the settings are kept as given (an int or a pair)."""

from __future__ import annotations

from ..._tensor import Tensor
from .. import functional as F
from .module import Module


class Fold(Module):
    """Sums columns of window values back into an image: ``F.fold``, the adjoint of ``Unfold``.

    Args:
        output_size (int or tuple): the image's ``(H, W)``.
        kernel_size (int or tuple): the window's ``(kH, kW)``.
        dilation, padding, stride (int or tuple): as for a convolution (defaults 1, 0, 1).

    Shape:
        - Input: ``(N, C * kH * kW, L)`` or ``(C * kH * kW, L)``, ``L`` the number of windows.
        - Output: ``(N, C, H, W)`` or ``(C, H, W)``; overlapping windows add up.

    Example::

        >>> fold = nn.Fold(output_size=(4, 5), kernel_size=2)
        >>> fold(torch.randn(1, 3 * 2 * 2, 12)).shape
        torch.Size([1, 3, 4, 5])
    """

    __constants__ = ["output_size", "kernel_size", "dilation", "padding", "stride"]

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1) -> None:
        super().__init__()
        self.output_size = output_size
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, input: Tensor) -> Tensor:
        return F.fold(input, self.output_size, self.kernel_size, self.dilation, self.padding,
                      self.stride)

    def extra_repr(self) -> str:
        return (f"output_size={self.output_size}, kernel_size={self.kernel_size}, "
                f"dilation={self.dilation}, padding={self.padding}, stride={self.stride}")


class Unfold(Module):
    """Copies every sliding window of an image into a column: ``F.unfold`` (im2col).

    Args:
        kernel_size (int or tuple): the window's ``(kH, kW)``.
        dilation, padding, stride (int or tuple): as for a convolution (defaults 1, 0, 1).

    Shape:
        - Input: ``(N, C, H, W)`` or ``(C, H, W)``.
        - Output: ``(N, C * kH * kW, L)`` or ``(C * kH * kW, L)``, ``L`` the number of windows.

    Example::

        >>> unfold = nn.Unfold(kernel_size=(2, 3))
        >>> unfold(torch.randn(2, 5, 3, 4)).shape     # 5*2*3 rows, 2*2 windows
        torch.Size([2, 30, 4])
    """

    __constants__ = ["kernel_size", "dilation", "padding", "stride"]

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, input: Tensor) -> Tensor:
        return F.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, dilation={self.dilation}, "
                f"padding={self.padding}, stride={self.stride}")


__all__ = ["Fold", "Unfold"]
