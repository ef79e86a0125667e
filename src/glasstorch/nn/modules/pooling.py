"""Pooling and resampling layers: ``MaxPool2d``, ``AvgPool2d``, the adaptive pools, ``Upsample``.

Each layer holds its settings and calls the function of the same name in ``nn.functional``.
The padding layers (``ZeroPad2d``, ``ReflectionPad2d``...) live in ``padding.py`` and are
re-exported here.
"""

from __future__ import annotations

from ..._tensor import Tensor
from .. import functional as F
from .module import Module
from .padding import *  # noqa: F401,F403
from .padding import __all__ as _padding_all


# ---- max pooling -------------------------------------------------------------------------------
class _MaxPoolNd(Module):
    __constants__ = ["kernel_size", "stride", "padding", "dilation", "return_indices",
                     "ceil_mode"]

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1,
                 return_indices: bool = False, ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool1d(_MaxPoolNd):
    """1-d max pooling: the largest value of each window sliding along the last dimension.

    Args:
        kernel_size: window length.
        stride: step between windows (default: ``kernel_size``).
        padding: ``-inf`` added on both ends (at most half the window).
        dilation: spacing between the elements of a window.
        return_indices: also return the position of each maximum (for ``MaxUnpool1d``).
        ceil_mode: round the output length up, keeping a last partial window.

    Shape:
        - Input: ``(N, C, L_in)`` or ``(C, L_in)``.
        - Output: ``(N, C, L_out)``, ``L_out = floor((L_in + 2*padding - dilation*(kernel_size-1)
          - 1) / stride + 1)``.

    Example::

        >>> nn.MaxPool1d(3, stride=2)(torch.randn(20, 16, 50)).shape
        torch.Size([20, 16, 24])
    """

    def forward(self, input: Tensor):
        return F.max_pool1d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)


class MaxPool2d(_MaxPoolNd):
    """2-d max pooling: the largest value of each ``kernel_size`` window of an image.

    Args:
        kernel_size: window size, an int or ``(kH, kW)``.
        stride: step between windows (default: ``kernel_size``, windows side by side).
        padding: ``-inf`` added on every side (at most half the window).
        dilation: spacing between the elements of a window.
        return_indices: also return where each maximum was, as flat indices into ``H*W``.
        ceil_mode: round the output size up, keeping a last partial window.

    Shape:
        - Input: ``(N, C, H_in, W_in)`` or ``(C, H_in, W_in)``.
        - Output: ``(N, C, H_out, W_out)``, ``H_out = floor((H_in + 2*padding[0] -
          dilation[0]*(kernel_size[0]-1) - 1) / stride[0] + 1)``, likewise ``W_out``.

    Example::

        >>> nn.MaxPool2d(2)(torch.randn(256, 6, 28, 28)).shape
        torch.Size([256, 6, 14, 14])
    """

    def forward(self, input: Tensor):
        return F.max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)


# ---- average pooling ---------------------------------------------------------------------------
class AvgPool1d(Module):
    """1-d average pooling: the mean of each window sliding along the last dimension.

    Args:
        kernel_size: window length.
        stride: step between windows (default: ``kernel_size``).
        padding: zeros added on both ends (at most half the window).
        ceil_mode: round the output length up, keeping a last partial window.
        count_include_pad: count the padding zeros in each window's divisor.

    Shape:
        - Input: ``(N, C, L_in)`` or ``(C, L_in)``.
        - Output: ``(N, C, L_out)``, ``L_out = floor((L_in + 2*padding - kernel_size) / stride
          + 1)``.

    Example::

        >>> nn.AvgPool1d(3, stride=2)(torch.tensor([[[1., 2, 3, 4, 5, 6, 7]]]))
        tensor([[[2., 4., 6.]]])
    """

    __constants__ = ["kernel_size", "stride", "padding", "ceil_mode", "count_include_pad"]

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
                 count_include_pad: bool = True) -> None:
        super().__init__()
        self.kernel_size = _single(kernel_size)
        self.stride = _single(stride if stride is not None else kernel_size)
        self.padding = _single(padding)
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input: Tensor) -> Tensor:
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


def _single(v) -> tuple:
    return tuple(v) if isinstance(v, (tuple, list)) else (v,)


class AvgPool2d(Module):
    """2-d average pooling: the mean of each ``kernel_size`` window of an image.

    Args:
        kernel_size: window size, an int or ``(kH, kW)``.
        stride: step between windows (default: ``kernel_size``).
        padding: zeros added on every side (at most half the window).
        ceil_mode: round the output size up, keeping a last partial window.
        count_include_pad: count the padding zeros in each window's divisor.
        divisor_override: divide every window's sum by this number instead.

    Shape:
        - Input: ``(N, C, H_in, W_in)`` or ``(C, H_in, W_in)``.
        - Output: ``(N, C, H_out, W_out)``, ``H_out = floor((H_in + 2*padding[0] -
          kernel_size[0]) / stride[0] + 1)``, likewise ``W_out``.

    Example::

        >>> nn.AvgPool2d(kernel_size=2, stride=2)(torch.randn(256, 6, 28, 28)).shape  # LeNet
        torch.Size([256, 6, 14, 14])
    """

    __constants__ = ["kernel_size", "stride", "padding", "ceil_mode", "count_include_pad",
                     "divisor_override"]

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
                 count_include_pad: bool = True, divisor_override: int | None = None) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input: Tensor) -> Tensor:
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


# ---- adaptive pooling --------------------------------------------------------------------------
class _AdaptivePool(Module):
    __constants__ = ["output_size"]

    def __init__(self, output_size) -> None:
        super().__init__()
        self.output_size = output_size

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptivePool):
    """1-d average pooling to a chosen output length: the windows adapt to the input length.

    Args:
        output_size: the output length ``L_out``.

    Shape:
        - Input: ``(N, C, L_in)`` or ``(C, L_in)``. Output: ``(N, C, L_out)``.

    Example::

        >>> nn.AdaptiveAvgPool1d(5)(torch.randn(1, 64, 8)).shape
        torch.Size([1, 64, 5])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.adaptive_avg_pool1d(input, self.output_size)


class AdaptiveAvgPool2d(_AdaptivePool):
    """2-d average pooling to a chosen output size; ``AdaptiveAvgPool2d((1, 1))`` is the global
    average pooling that ends NiN, GoogLeNet and ResNet.

    Args:
        output_size: ``(H_out, W_out)``, or an int for a square; ``None`` keeps the input size
            in that dimension.

    Shape:
        - Input: ``(N, C, H_in, W_in)`` or ``(C, H_in, W_in)``. Output: ``(N, C, H_out, W_out)``.

    Example::

        >>> nn.AdaptiveAvgPool2d((1, 1))(torch.randn(8, 512, 7, 7)).shape
        torch.Size([8, 512, 1, 1])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.adaptive_avg_pool2d(input, self.output_size)


class AdaptiveMaxPool1d(_AdaptivePool):
    """1-d max pooling to a chosen output length.

    Args:
        output_size: the output length ``L_out``.
        return_indices: also return the position of each maximum.

    Shape:
        - Input: ``(N, C, L_in)`` or ``(C, L_in)``. Output: ``(N, C, L_out)``.

    Example::

        >>> nn.AdaptiveMaxPool1d(5)(torch.randn(1, 64, 8)).shape
        torch.Size([1, 64, 5])
    """

    __constants__ = ["output_size", "return_indices"]

    def __init__(self, output_size, return_indices: bool = False) -> None:
        super().__init__(output_size)
        self.return_indices = return_indices

    def forward(self, input: Tensor):
        return F.adaptive_max_pool1d(input, self.output_size, self.return_indices)


class AdaptiveMaxPool2d(AdaptiveMaxPool1d):
    """2-d max pooling to a chosen output size.

    Args:
        output_size: ``(H_out, W_out)``, or an int for a square; ``None`` keeps the input size
            in that dimension.
        return_indices: also return where each maximum was (flat indices into ``H*W``).

    Shape:
        - Input: ``(N, C, H_in, W_in)`` or ``(C, H_in, W_in)``. Output: ``(N, C, H_out, W_out)``.

    Example::

        >>> nn.AdaptiveMaxPool2d((5, 7))(torch.randn(1, 64, 8, 9)).shape
        torch.Size([1, 64, 5, 7])
    """

    def forward(self, input: Tensor):
        return F.adaptive_max_pool2d(input, self.output_size, self.return_indices)


# ---- resampling --------------------------------------------------------------------------------
class Upsample(Module):
    """Resizes images (or 1-d / 3-d signals) by ``scale_factor`` or to ``size``; see
    :func:`torch.nn.functional.interpolate` for the modes and the coordinate rules.

    Args:
        size: the output's spatial size (an int, or one per spatial dimension).
        scale_factor: multiplier of the spatial size (give either ``size`` or this).
        mode: ``'nearest'`` (default), ``'nearest-exact'``, ``'linear'``, ``'bilinear'``,
            ``'bicubic'``, ``'trilinear'``.
        align_corners: linear modes only: map the corner pixels onto each other.
        recompute_scale_factor: compute the coordinate scale from the output size.

    Shape:
        - Input: ``(N, C, W_in)``, ``(N, C, H_in, W_in)`` or ``(N, C, D_in, H_in, W_in)``.
        - Output: the same with the new spatial size, e.g. ``H_out = floor(H_in *
          scale_factor)``.

    Example::

        >>> nn.Upsample(scale_factor=2, mode="nearest")(torch.tensor([[[[1., 2.]]]]))
        tensor([[[[1., 1., 2., 2.],
                  [1., 1., 2., 2.]]]])
    """

    __constants__ = ["size", "scale_factor", "mode", "align_corners", "name",
                     "recompute_scale_factor"]

    def __init__(self, size=None, scale_factor=None, mode: str = "nearest",
                 align_corners: bool | None = None,
                 recompute_scale_factor: bool | None = None) -> None:
        super().__init__()
        self.name = type(self).__name__
        self.size = size
        if isinstance(scale_factor, tuple):
            self.scale_factor = tuple(float(f) for f in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input: Tensor) -> Tensor:
        return F.interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                             recompute_scale_factor=self.recompute_scale_factor)

    def extra_repr(self) -> str:
        if self.scale_factor is not None:
            info = f"scale_factor={self.scale_factor!r}"
        else:
            info = f"size={self.size!r}"
        return f"{info}, mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """``Upsample(mode='nearest')`` for 4-D input, under its older name."""

    def __init__(self, size=None, scale_factor=None) -> None:
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """``Upsample(mode='bilinear', align_corners=True)`` for 4-D input, under its older name."""

    def __init__(self, size=None, scale_factor=None) -> None:
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)


__all__ = ["MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool1d",
           "AdaptiveAvgPool2d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "Upsample",
           "UpsamplingNearest2d", "UpsamplingBilinear2d", *_padding_all]
