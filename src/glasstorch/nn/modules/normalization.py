"""Normalisation layers.

Here: ``LayerNorm`` (per sample, over the trailing dimensions), ``GroupNorm`` (per sample and group
of channels) and ``LocalResponseNorm``. Batch normalisation (``BatchNorm1d``/``2d``/``3d`` and the
lazy forms) lives in ``batchnorm.py`` and instance normalisation in ``instancenorm.py``; all are
exported from here.
"""

from __future__ import annotations

import numbers

from ..._tensor import Tensor
from .. import functional as F
from .batchnorm import *  # noqa: F401,F403
from .batchnorm import __all__ as _batchnorm_all
from .batchnorm import register_affine, reset_affine
from .instancenorm import *  # noqa: F401,F403
from .instancenorm import __all__ as _instancenorm_all
from .module import Module


class LayerNorm(Module):
    """Normalises each sample over its last dimensions, then applies an element-wise affine map.

    ``y = (x - mean) / sqrt(var + eps) * weight + bias``, the mean and (biased) variance taken over
    the last ``len(normalized_shape)`` dimensions of each sample. The statistics never involve
    other samples, so training and evaluation behave the same (the Transformer's normalisation).

    Args:
        normalized_shape (int or tuple of ints): the trailing shape to normalise over; an int
            ``d`` means the last dimension, of size ``d``.
        eps (float): added to the variance for numerical stability (default: 1e-5).
        elementwise_affine (bool): learn ``weight`` (ones) and ``bias`` (zeros), each of shape
            ``normalized_shape`` (default: True).
        bias (bool): learn the bias too (default: True).

    Shape:
        - Input: ``(*, *normalized_shape)``. Output: same shape as input.

    Example::

        >>> m = nn.LayerNorm(10)
        >>> m
        LayerNorm((10,), eps=1e-05, elementwise_affine=True, bias=True)
        >>> m(torch.randn(20, 5, 10)).shape
        torch.Size([20, 5, 10])
    """

    __constants__ = ["normalized_shape", "eps", "elementwise_affine"]

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, device=None, dtype=None) -> None:
        super().__init__()
        if isinstance(normalized_shape, numbers.Integral):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        register_affine(self, elementwise_affine, self.normalized_shape, bias, device, dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Weight 1 and bias 0: the layer starts as a plain standardisation."""
        reset_affine(self)

    def forward(self, input: Tensor) -> Tensor:
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, "
            f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}"
        )


class GroupNorm(Module):
    """Splits the channels into groups and normalises each group of each sample, then applies a
    per-channel affine map.

    One group is a layer norm over (C, *); ``num_channels`` groups is an instance norm. The
    statistics are per sample, so it behaves the same for any batch size.

    Args:
        num_groups (int): number of groups; must divide ``num_channels``.
        num_channels (int): C, the number of channels of the input.
        eps (float): added to the variance for numerical stability (default: 1e-5).
        affine (bool): learn a per-channel ``weight`` (ones) and ``bias`` (zeros) (default: True).
        bias (bool, keyword-only): learn the bias too (default: True).

    Shape:
        - Input: ``(N, C, *)``. Output: same shape as input.

    Example::

        >>> m = nn.GroupNorm(3, 6)
        >>> m(torch.randn(20, 6, 10, 10)).shape
        torch.Size([20, 6, 10, 10])
    """

    __constants__ = ["num_groups", "num_channels", "eps", "affine"]

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5, affine: bool = True,
                 device=None, dtype=None, *, bias: bool = True) -> None:
        super().__init__()
        if num_channels % num_groups != 0:
            raise ValueError(
                f"num_channels ({num_channels}) must be divisible by num_groups ({num_groups})"
            )
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        register_affine(self, affine, num_channels, bias, device, dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Weight 1 and bias 0."""
        reset_affine(self)

    def forward(self, input: Tensor) -> Tensor:
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
            f"bias={self.bias is not None}"
        )


class LocalResponseNorm(Module):
    """Normalises each value by the energy of its ``size`` neighbouring channels (AlexNet).

    Args:
        size (int): how many neighbouring channels form the window.
        alpha (float): multiplicative factor (default: 1e-4).
        beta (float): exponent (default: 0.75).
        k (float): additive constant (default: 1.0).

    Shape:
        - Input: ``(N, C, *)``. Output: same shape as input.

    Example::

        >>> nn.LocalResponseNorm(2)(torch.randn(32, 5, 24, 24)).shape
        torch.Size([32, 5, 24, 24])
    """

    __constants__ = ["size", "alpha", "beta", "k"]

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> None:
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input: Tensor) -> Tensor:
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"


__all__ = ["LayerNorm", "GroupNorm", "LocalResponseNorm", *_batchnorm_all, *_instancenorm_all]
