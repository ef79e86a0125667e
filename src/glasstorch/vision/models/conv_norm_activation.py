"""Building blocks torchvision's models share (``torchvision.ops.misc``)."""

from __future__ import annotations

from ... import nn


class Conv2dNormActivation(nn.Sequential):
    """Conv2d, then a norm layer, then an activation: ``(0)``, ``(1)``, ``(2)`` in the state dict.

    ``padding`` defaults to what keeps the size at stride 1 (``(kernel_size - 1) // 2 *
    dilation``); the convolution has a bias only when there is no norm layer.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 3,
                 stride: int = 1, padding=None, groups: int = 1,
                 norm_layer=nn.BatchNorm2d, activation_layer=nn.ReLU, dilation: int = 1,
                 inplace: bool | None = True, bias: bool | None = None) -> None:
        if padding is None:
            padding = (kernel_size - 1) // 2 * dilation
        if bias is None:
            bias = norm_layer is None
        layers = [nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding,
                            dilation=dilation, groups=groups, bias=bias)]
        if norm_layer is not None:
            layers.append(norm_layer(out_channels))
        if activation_layer is not None:
            layers.append(activation_layer(**({} if inplace is None else {"inplace": inplace})))
        super().__init__(*layers)
        self.out_channels = out_channels
