"""Dropout layers: randomly zero activations while training, a regulariser against overfitting.

A dropout layer is active only in training mode (``model.train()``, the default); after
``model.eval()`` it passes its input through unchanged. In training each element is zeroed with
probability ``p`` and the survivors are scaled by ``1/(1-p)``, so the expected activation is the
same in both modes. The masks come from glasstorch's default generator (``manual_seed``).
"""

from __future__ import annotations

from ..._tensor import Tensor
from .. import functional as F
from .module import Module


class _DropoutNd(Module):
    __constants__ = ["p", "inplace"]

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.inplace = p, inplace

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Zero each element with probability ``p`` (default 0.5) in training mode.

    Shape: input (*) → output (*), the same.

    Example::

        >>> drop = nn.Dropout(p=0.2)
        >>> y = drop(torch.ones(4, 5))   # about 20% zeros, the rest 1.25
        >>> drop.eval()(torch.ones(2))   # identity in eval mode
        tensor([1., 1.])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout(input, self.p, self.training, self.inplace)


class Dropout1d(_DropoutNd):
    """Zero whole channels of (N, C, L) or (C, L) inputs with probability ``p``."""

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    """Zero whole feature maps of (N, C, H, W) or (C, H, W) inputs with probability ``p``."""

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout2d(input, self.p, self.training, self.inplace)


class Dropout3d(_DropoutNd):
    """Zero whole 3-D feature maps of (N, C, D, H, W) or (C, D, H, W) inputs with probability
    ``p``."""

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout3d(input, self.p, self.training, self.inplace)


class AlphaDropout(_DropoutNd):
    """Dropout for SELU networks: keeps mean 0 and variance 1 of its input."""

    def forward(self, input: Tensor) -> Tensor:
        return F.alpha_dropout(input, self.p, self.training)


class FeatureAlphaDropout(_DropoutNd):
    """Alpha dropout of whole channels (see ``AlphaDropout``): for SELU networks of feature
    maps."""

    def forward(self, input: Tensor) -> Tensor:
        return F.feature_alpha_dropout(input, self.p, self.training)


__all__ = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout",
           "FeatureAlphaDropout"]
