"""Convolution layers: ``Conv1d``, ``Conv2d``, their lazy forms ``LazyConv1d``/``LazyConv2d`` and
the transposed (upsampling) layers ``ConvTranspose1d``/``ConvTranspose2d``.

A layer holds the filters ``weight`` (out_channels, in_channels / groups, *kernel_size) and the
``bias`` (out_channels,), and calls ``F.conv1d``/``F.conv2d``. With a ``padding_mode`` other than
``'zeros'`` it pads the input itself first (``F.pad`` with that mode) and convolves without
padding.
"""

from __future__ import annotations

import math

from ... import _creation
from ..._tensor import Tensor
from .. import functional as F
from .. import init
from ..parameter import Parameter, UninitializedParameter
from .lazy import LazyModuleMixin
from .module import Module

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _tuple(value, n: int) -> tuple:
    """An int as an ``n``-tuple; a sequence as a tuple."""
    if isinstance(value, (tuple, list)):
        return tuple(value)
    return (value,) * n


def _set(names) -> str:
    return "{" + ", ".join(f"'{n}'" for n in names) + "}"


class _ConvNd(Module):
    """What ``Conv1d`` and ``Conv2d`` share: arguments, parameters, initialisation, printing."""

    __constants__ = ["stride", "padding", "dilation", "groups", "padding_mode", "output_padding",
                     "in_channels", "out_channels", "kernel_size"]
    _nd = 2
    _transposed = False  # a transposed layer's weight is (in_channels, out_channels / groups, ...)

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device=None, dtype=None) -> None:
        super().__init__()
        nd = self._nd
        kernel_size, stride, dilation = (_tuple(v, nd) for v in (kernel_size, stride, dilation))
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        if isinstance(padding, str):
            if padding not in ("valid", "same"):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of "
                                 f"{_set(('valid', 'same'))}")
            if padding == "same" and any(s != 1 for s in stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
        else:
            padding = _tuple(padding, nd)
        if padding_mode not in _PADDING_MODES:
            raise ValueError(
                f"padding_mode must be one of {_set(_PADDING_MODES)}, but got "
                f"padding_mode='{padding_mode}'"
            )
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = kernel_size
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.transposed = self._transposed
        self.output_padding = (0,) * nd
        self.groups = groups
        self.padding_mode = padding_mode
        self._reversed_padding_repeated_twice = self._pad_amounts()
        channels = ((in_channels, out_channels // groups) if self._transposed
                    else (out_channels, in_channels // groups))
        self.weight = Parameter(_creation.empty((*channels, *kernel_size), device=device,
                                                dtype=dtype))
        if bias:
            self.bias = Parameter(_creation.empty(out_channels, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def _pad_amounts(self):
        """The padding in ``F.pad``'s order: (before, after) for the last axis first (a list for
        a padding string, a tuple otherwise, as torch keeps it)."""
        amounts = []
        for axis in reversed(range(self._nd)):
            if self.padding == "valid":
                lo = hi = 0
            elif self.padding == "same":
                total = self.dilation[axis] * (self.kernel_size[axis] - 1)
                lo, hi = total // 2, total - total // 2
            else:
                lo = hi = self.padding[axis]
            amounts += [lo, hi]
        return amounts if isinstance(self.padding, str) else tuple(amounts)

    def reset_parameters(self) -> None:
        """Fresh initial values: weight from kaiming_uniform_ with ``a=sqrt(5)``, which is
        U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and the bias from that same range, where
        ``fan_in = in_channels / groups * prod(kernel_size)``."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def _conv_forward(self, input: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
        conv = F.conv2d if self._nd == 2 else F.conv1d
        if self.padding_mode != "zeros":
            padded = F.pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode)
            return conv(padded, weight, bias, self.stride, 0, self.dilation, self.groups)
        return conv(input, weight, bias, self.stride, self.padding, self.dilation, self.groups)

    def forward(self, input: Tensor) -> Tensor:
        return self._conv_forward(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if self.padding != (0,) * len(self.padding):
            text += f", padding={self.padding}"
        if self.dilation != (1,) * len(self.dilation):
            text += f", dilation={self.dilation}"
        if self.output_padding != (0,) * len(self.output_padding):
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text


class Conv1d(_ConvNd):
    """A 1-D convolution layer over sequences: ``out = conv1d(x, weight) + bias``.

    Args:
        in_channels (int): channels of the input (e.g. 1 for a mono signal).
        out_channels (int): number of filters, so channels of the output.
        kernel_size (int or tuple): length of each filter.
        stride (int or tuple): step between windows (default 1).
        padding (int, tuple or str): added on both ends (default 0), or ``'valid'`` (none) or
            ``'same'`` (output as long as the input; stride 1 only).
        dilation (int or tuple): gap between filter taps (default 1).
        groups (int): independent channel groups; both channel counts divisible by it.
        bias (bool): learn a bias per output channel (default ``True``).
        padding_mode (str): ``'zeros'`` (default), ``'reflect'``, ``'replicate'`` or
            ``'circular'``: what the padding is filled with.

    Shape:
        - Input: ``(N, C_in, L)`` or ``(C_in, L)``.
        - Output: ``(N, C_out, L_out)`` or ``(C_out, L_out)``, with
          ``L_out = (L + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1``.

    Attributes:
        weight: ``(out_channels, in_channels / groups, kernel_size)``.
        bias: ``(out_channels,)``; both drawn from U(-k, k) with
            ``k = 1 / sqrt(in_channels / groups * kernel_size)``.

    Example::

        >>> m = nn.Conv1d(16, 33, 3, stride=2)
        >>> m(torch.randn(20, 16, 50)).shape
        torch.Size([20, 33, 24])
    """

    _nd = 1


class Conv2d(_ConvNd):
    """A 2-D convolution layer over images: ``out = conv2d(x, weight) + bias``.

    Each of the ``out_channels`` filters looks at a ``kernel_size`` window of all input channels
    (of its group) at every position and produces one output channel.

    Args:
        in_channels (int): channels of the input image (3 for RGB).
        out_channels (int): number of filters, so channels of the output.
        kernel_size (int or tuple): window size ``k`` or ``(kH, kW)``.
        stride (int or tuple): step between windows (default 1).
        padding (int, tuple or str): rows/columns added on each side (default 0), or
            ``'valid'`` (none) or ``'same'`` (output as large as the input; stride 1 only).
        dilation (int or tuple): gap between kernel taps (default 1).
        groups (int): independent channel groups; both channel counts divisible by it
            (``groups=in_channels`` is a depthwise convolution).
        bias (bool): learn a bias per output channel (default ``True``).
        padding_mode (str): ``'zeros'`` (default), ``'reflect'``, ``'replicate'`` or
            ``'circular'``: what the padding is filled with.

    Shape:
        - Input: ``(N, C_in, H, W)`` or ``(C_in, H, W)``.
        - Output: ``(N, C_out, H_out, W_out)`` or ``(C_out, H_out, W_out)``, with
          ``H_out = (H + 2 * padding[0] - dilation[0] * (kernel_size[0] - 1) - 1) // stride[0]
          + 1`` and ``W_out`` alike.

    Attributes:
        weight: ``(out_channels, in_channels / groups, kH, kW)``.
        bias: ``(out_channels,)``; both drawn from U(-k, k) with
            ``k = 1 / sqrt(in_channels / groups * kH * kW)``.

    Example::

        >>> m = nn.Conv2d(1, 6, kernel_size=5, padding=2)   # LeNet's first layer
        >>> m(torch.randn(256, 1, 28, 28)).shape
        torch.Size([256, 6, 28, 28])
        >>> m
        Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))
    """

    _nd = 2


class _LazyConvMixin(LazyModuleMixin):
    """``in_channels`` read from the first input (its channel axis: 0 unbatched, 1 batched)."""

    cls_to_become = None

    def __init__(self, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros", device=None,
                 dtype=None) -> None:
        super().__init__(0, 0, kernel_size, stride, padding, dilation, groups, False,
                         padding_mode, device, dtype)
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        self.out_channels = out_channels
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.in_channels != 0:
            super().reset_parameters()

    def _get_in_channels(self, input: Tensor) -> int:
        nd = self._nd
        shape = input._data.shape
        if len(shape) not in (nd + 1, nd + 2):
            raise RuntimeError(
                f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to "
                f"{type(self).__name__}, but got input of size: {input.shape}"
            )
        return shape[0] if len(shape) == nd + 1 else shape[1]

    def initialize_parameters(self, input: Tensor, *args, **kwargs) -> None:
        """Allocate ``weight`` (out, in / groups, *kernel) and ``bias`` from the input's
        channel count, then initialise them as the eager layer does."""
        if self.has_uninitialized_params():
            self.in_channels = self._get_in_channels(input)
            if self.in_channels % self.groups != 0:
                raise ValueError("in_channels must be divisible by groups")
            self.weight.materialize(
                (self.out_channels, self.in_channels // self.groups, *self.kernel_size)
            )
            if self.bias is not None:
                self.bias.materialize((self.out_channels,))
            self.reset_parameters()
        elif self.in_channels == 0:
            # loaded from a state dict: read the size off the weight
            self.in_channels = self.weight._data.shape[1] * self.groups


class LazyConv1d(_LazyConvMixin, Conv1d):
    """A ``Conv1d`` whose ``in_channels`` is read from the first input it sees.

    Same arguments as ``Conv1d`` without ``in_channels``. The first call allocates and
    initialises the parameters and turns the module into a plain ``Conv1d``.

    Example::

        >>> m = nn.LazyConv1d(8, 3)
        >>> m(torch.randn(4, 5, 20)).shape
        torch.Size([4, 8, 18])
        >>> m
        Conv1d(5, 8, kernel_size=(3,), stride=(1,))
    """

    cls_to_become = Conv1d


class LazyConv2d(_LazyConvMixin, Conv2d):
    """A ``Conv2d`` whose ``in_channels`` is read from the first input it sees (d2l builds its
    CNNs from these, so that only the output channels are written down).

    Same arguments as ``Conv2d`` without ``in_channels``. The first call allocates and
    initialises the parameters and turns the module into a plain ``Conv2d``.

    Example::

        >>> m = nn.LazyConv2d(6, kernel_size=5, padding=2)
        >>> m(torch.randn(2, 1, 28, 28)).shape
        torch.Size([2, 6, 28, 28])
        >>> m
        Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))
    """

    cls_to_become = Conv2d


class _ConvTransposeNd(_ConvNd):
    """What ``ConvTranspose1d`` and ``ConvTranspose2d`` share: ``output_padding``, the weight
    ``(in_channels, out_channels / groups, *kernel_size)`` (initialised as a convolution's, so
    from ``fan_in = out_channels / groups * prod(kernel_size)``) and ``output_size``."""

    _transposed = True

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 output_padding=0, groups: int = 1, bias: bool = True, dilation=1,
                 padding_mode: str = "zeros", device=None, dtype=None) -> None:
        if padding_mode != "zeros":
            raise ValueError(
                f'Only "zeros" padding mode is supported for {type(self).__name__}'
            )
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype)
        self.output_padding = _tuple(output_padding, self._nd)

    def _output_padding(self, input: Tensor, output_size) -> tuple:
        """The output_padding that makes the output ``output_size`` (its last ``nd`` entries;
        one of the ``stride`` sizes a strided convolution maps to the input's size)."""
        if output_size is None:
            return self.output_padding
        nd, ndim = self._nd, input.dim()
        extra = ndim - nd
        size = list(output_size)
        if len(size) == nd + extra:
            size = size[extra:]
        if len(size) != nd:
            raise ValueError(
                f"ConvTranspose{nd}D: for {ndim}D input, output_size must have {nd} or "
                f"{nd + extra} elements (got {len(output_size)})"
            )
        spatial = tuple(input.shape[extra:])
        low = [(spatial[d] - 1) * self.stride[d] - 2 * self.padding[d]
               + self.dilation[d] * (self.kernel_size[d] - 1) + 1 for d in range(nd)]
        high = [lo + s - 1 for lo, s in zip(low, self.stride)]
        if any(not lo <= want <= hi for want, lo, hi in zip(size, low, high)):
            raise ValueError(
                f"requested an output size of {size}, but valid sizes range from {low} to "
                f"{high} (for an input of {input.shape[extra:]})"
            )
        return tuple(want - lo for want, lo in zip(size, low))

    def forward(self, input: Tensor, output_size=None) -> Tensor:
        conv = F.conv_transpose2d if self._nd == 2 else F.conv_transpose1d
        return conv(input, self.weight, self.bias, self.stride, self.padding,
                    self._output_padding(input, output_size), self.groups, self.dilation)


class ConvTranspose1d(_ConvTransposeNd):
    """A 1-D transposed convolution layer: upsamples sequences (``F.conv_transpose1d``).

    Args:
        in_channels (int), out_channels (int), kernel_size (int or tuple): as for ``Conv1d``.
        stride (int or tuple): spacing of the kernel's stamps in the output (default 1).
        padding (int or tuple): removed from both ends of the output (default 0).
        output_padding (int or tuple): extra length on the end (smaller than stride or
            dilation); or pass ``output_size=`` to ``forward`` instead.
        groups (int), bias (bool), dilation (int or tuple): as for ``Conv1d``.

    Shape:
        - Input: ``(N, C_in, L)`` or ``(C_in, L)``.
        - Output: ``(N, C_out, L_out)`` or ``(C_out, L_out)``, with
          ``L_out = (L - 1) * stride - 2 * padding + dilation * (kernel_size - 1)
          + output_padding + 1``.

    Attributes:
        weight: ``(in_channels, out_channels / groups, kernel_size)``.
        bias: ``(out_channels,)``; both drawn from U(-k, k) with
            ``k = 1 / sqrt(out_channels / groups * kernel_size)``.

    Example::

        >>> m = nn.ConvTranspose1d(16, 8, 3, stride=2)
        >>> m(torch.randn(20, 16, 50)).shape
        torch.Size([20, 8, 101])
    """

    _nd = 1


class ConvTranspose2d(_ConvTransposeNd):
    """A 2-D transposed convolution layer: upsamples feature maps (``F.conv_transpose2d``), as in
    the decoders of autoencoders, GANs and fully convolutional segmentation networks.

    Args:
        in_channels (int), out_channels (int), kernel_size (int or tuple): as for ``Conv2d``.
        stride (int or tuple): spacing of the kernel's stamps in the output (default 1).
        padding (int or tuple): rows/columns removed from each side of the output (default 0).
        output_padding (int or tuple): extra rows/columns on the bottom/right (smaller than
            stride or dilation); or pass ``output_size=`` to ``forward`` instead.
        groups (int), bias (bool), dilation (int or tuple): as for ``Conv2d``.

    Shape:
        - Input: ``(N, C_in, H, W)`` or ``(C_in, H, W)``.
        - Output: ``(N, C_out, H_out, W_out)`` or ``(C_out, H_out, W_out)``, with
          ``H_out = (H - 1) * stride[0] - 2 * padding[0] + dilation[0] * (kernel_size[0] - 1)
          + output_padding[0] + 1`` and ``W_out`` alike.

    Attributes:
        weight: ``(in_channels, out_channels / groups, kH, kW)``.
        bias: ``(out_channels,)``; both drawn from U(-k, k) with
            ``k = 1 / sqrt(out_channels / groups * kH * kW)``.

    Example::

        >>> m = nn.ConvTranspose2d(8, 3, kernel_size=4, stride=2, padding=1)  # doubles H, W
        >>> m(torch.randn(1, 8, 7, 7)).shape
        torch.Size([1, 3, 14, 14])
        >>> m
        ConvTranspose2d(8, 3, kernel_size=(4, 4), stride=(2, 2), padding=(1, 1))
    """

    _nd = 2


__all__ = ["Conv1d", "Conv2d", "LazyConv1d", "LazyConv2d", "ConvTranspose1d", "ConvTranspose2d"]
