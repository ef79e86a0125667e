"""Instance normalisation layers: ``InstanceNorm1d``/``2d``/``3d`` (``F.instance_norm``).

Each channel of each sample is normalised over its own spatial positions, so unlike batch norm the
result of a sample never depends on the rest of the batch. By default there are no learned
parameters (``affine=False``) and no running statistics (``track_running_stats=False``).
"""

from __future__ import annotations

import warnings

from ..._tensor import Tensor
from .. import functional as F
from .batchnorm import _LazyNormBase, _NormBase


class _InstanceNorm(_NormBase):
    _batched_dim = 3  # the input rank with a batch dimension; one less is an unbatched input

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1,
                 affine: bool = False, track_running_stats: bool = False, device=None,
                 dtype=None, *, bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype,
                         bias=bias)

    def _check_input_dim(self, input: Tensor) -> None:
        d = self._batched_dim
        if input.dim() not in (d - 1, d):
            raise ValueError(f"expected {d - 1}D or {d}D input (got {input.dim()}D input)")

    def forward(self, input: Tensor) -> Tensor:
        self._check_input_dim(input)
        feature_dim = input.dim() - (self._batched_dim - 1)
        size = input.shape[feature_dim]
        if size != self.num_features:
            if self.affine:
                raise ValueError(
                    f"expected input's size at dim={feature_dim} to match num_features "
                    f"({self.num_features}), but got: {size}."
                )
            warnings.warn(
                f"input's size at dim={feature_dim} does not match num_features. You can silence "
                "this warning by not passing in num_features, which is not used because "
                "affine=False",
                stacklevel=2,
            )
        unbatched = input.dim() == self._batched_dim - 1
        x = input.unsqueeze(0) if unbatched else input
        out = F.instance_norm(
            x, self.running_mean, self.running_var, self.weight, self.bias,
            self.training or not self.track_running_stats,
            self.momentum if self.momentum is not None else 0.0, self.eps,
        )
        return out.squeeze(0) if unbatched else out


_DOC_ARGS = """
    Args:
        num_features (int): C, the number of channels.
        eps (float): added to the variance (default: 1e-5).
        momentum (float): weight of new statistics in the running ones (default: 0.1).
        affine (bool): learn a per-channel weight and bias (default: False).
        track_running_stats (bool): keep running statistics for evaluation (default: False).
"""


class InstanceNorm1d(_InstanceNorm):
    __doc__ = """Instance normalisation of (N, C, L) or unbatched (C, L) inputs.
    """ + _DOC_ARGS + """
    Example::

        >>> nn.InstanceNorm1d(3)(torch.randn(2, 3, 10)).shape
        torch.Size([2, 3, 10])
    """

    _batched_dim = 3


class InstanceNorm2d(_InstanceNorm):
    __doc__ = """Instance normalisation of (N, C, H, W) or unbatched (C, H, W) inputs (style
    transfer normalises each feature map of each image this way).
    """ + _DOC_ARGS + """
    Example::

        >>> nn.InstanceNorm2d(3, affine=True)(torch.randn(2, 3, 8, 8)).shape
        torch.Size([2, 3, 8, 8])
    """

    _batched_dim = 4


class InstanceNorm3d(_InstanceNorm):
    __doc__ = """Instance normalisation of (N, C, D, H, W) or unbatched (C, D, H, W) inputs.
    """ + _DOC_ARGS

    _batched_dim = 5


class LazyInstanceNorm1d(_LazyNormBase, _InstanceNorm):
    """An ``InstanceNorm1d`` whose ``num_features`` is read from ``input.shape[1]`` at the first
    call. As in torch the lazy forms default to ``affine=True, track_running_stats=True``."""

    cls_to_become = InstanceNorm1d
    _batched_dim = 3


class LazyInstanceNorm2d(_LazyNormBase, _InstanceNorm):
    """An ``InstanceNorm2d`` whose ``num_features`` is inferred at the first call."""

    cls_to_become = InstanceNorm2d
    _batched_dim = 4


class LazyInstanceNorm3d(_LazyNormBase, _InstanceNorm):
    """An ``InstanceNorm3d`` whose ``num_features`` is inferred at the first call."""

    cls_to_become = InstanceNorm3d
    _batched_dim = 5


__all__ = ["InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d", "LazyInstanceNorm1d",
           "LazyInstanceNorm2d", "LazyInstanceNorm3d"]
