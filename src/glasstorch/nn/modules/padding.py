"""Padding layers: add a border to the last one or two dimensions, each a call to ``F.pad``.

``padding`` is an int (the same on every side) or a tuple ``(left, right)`` for 1-d,
``(left, right, top, bottom)`` for 2-d. What fills the border depends on the layer:

- ``ConstantPad*d`` / ``ZeroPad*d``: a constant;
- ``ReflectionPad*d``: the input mirrored about its edge (``[1, 2, 3]`` → ``[3, 2, 1, 2, 3]``);
- ``ReplicationPad*d``: the edge value repeated (``[1, 2, 3]`` → ``[1, 1, 1, 2, 3]``);
- ``CircularPad*d``: the input wrapped around (``[1, 2, 3]`` → ``[2, 3, 1, 2, 3]``).
"""

from __future__ import annotations

from ..._tensor import Tensor
from .. import functional as F
from .module import Module


def _sides(padding, n: int) -> tuple:
    """An int as ``n`` equal amounts, a sequence as a tuple."""
    return tuple(padding) if isinstance(padding, (tuple, list)) else (padding,) * n


class _PadNd(Module):
    """A ``F.pad`` of ``mode`` with fixed amounts; the repr shows the amounts."""

    __constants__ = ["padding"]
    _mode = "constant"
    _sides = 2

    def __init__(self, padding) -> None:
        super().__init__()
        self.padding = _sides(padding, self._sides)

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    __constants__ = ["padding", "value"]

    def __init__(self, padding, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pads the last dimension with ``value``.

    Args:
        padding: int, or ``(left, right)``.
        value: the fill value.

    Shape:
        - Input: ``(C, W_in)`` or ``(N, C, W_in)``. Output: ``W_out = W_in + left + right``.

    Example::

        >>> nn.ConstantPad1d(2, 3.5)(torch.zeros(1, 2))
        tensor([[3.5000, 3.5000, 0.0000, 0.0000, 3.5000, 3.5000]])
    """


class ConstantPad2d(_ConstantPadNd):
    """Pads the last two dimensions with ``value``.

    Args:
        padding: int, or ``(left, right, top, bottom)``.
        value: the fill value.

    Shape:
        - Input: ``(C, H_in, W_in)`` or ``(N, C, H_in, W_in)``.
        - Output: ``H_out = H_in + top + bottom``, ``W_out = W_in + left + right``.

    Example::

        >>> nn.ConstantPad2d((1, 0, 0, 1), 9.0)(torch.zeros(1, 1, 1))
        tensor([[[9., 0.],
                 [9., 9.]]])
    """

    _sides = 4


class ZeroPad1d(ConstantPad1d):
    """Pads the last dimension with zeros; ``padding`` as in :class:`ConstantPad1d`.

    Example::

        >>> nn.ZeroPad1d((1, 2))(torch.ones(1, 2))
        tensor([[0., 1., 1., 0., 0.]])
    """

    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    """Pads the last two dimensions with zeros; ``padding`` as in :class:`ConstantPad2d`.

    Example::

        >>> nn.ZeroPad2d(1)(torch.ones(1, 1, 1))
        tensor([[[0., 0., 0.],
                 [0., 1., 0.],
                 [0., 0., 0.]]])
    """

    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ReflectionPad1d(_PadNd):
    """Pads the last dimension with its reflection about the edge (the edge itself not repeated);
    each amount must be smaller than the input size.

    Args:
        padding: int, or ``(left, right)``.

    Shape:
        - Input: ``(C, W_in)`` or ``(N, C, W_in)``. Output: ``W_out = W_in + left + right``.

    Example::

        >>> nn.ReflectionPad1d(2)(torch.tensor([[1., 2., 3.]]))
        tensor([[3., 2., 1., 2., 3., 2., 1.]])
    """

    _mode = "reflect"


class ReflectionPad2d(ReflectionPad1d):
    """Pads the last two dimensions with their reflection about the edges.

    Args:
        padding: int, or ``(left, right, top, bottom)``; each smaller than the size it pads.

    Shape:
        - Input: ``(C, H_in, W_in)`` or ``(N, C, H_in, W_in)``.
        - Output: ``H_out = H_in + top + bottom``, ``W_out = W_in + left + right``.

    Example::

        >>> nn.ReflectionPad2d(1)(torch.arange(4.).view(1, 2, 2))
        tensor([[[3., 2., 3., 2.],
                 [1., 0., 1., 0.],
                 [3., 2., 3., 2.],
                 [1., 0., 1., 0.]]])
    """

    _sides = 4


class ReplicationPad1d(_PadNd):
    """Pads the last dimension by repeating its edge values.

    Args:
        padding: int, or ``(left, right)``.

    Shape:
        - Input: ``(C, W_in)`` or ``(N, C, W_in)``. Output: ``W_out = W_in + left + right``.

    Example::

        >>> nn.ReplicationPad1d((2, 1))(torch.tensor([[1., 2., 3.]]))
        tensor([[1., 1., 1., 2., 3., 3.]])
    """

    _mode = "replicate"


class ReplicationPad2d(ReplicationPad1d):
    """Pads the last two dimensions by repeating their edge values (corners take the corner).

    Args:
        padding: int, or ``(left, right, top, bottom)``.

    Shape:
        - Input: ``(N, C, H_in, W_in)`` or ``(C, H_in, W_in)``.
        - Output: ``H_out = H_in + top + bottom``, ``W_out = W_in + left + right``.

    Example::

        >>> nn.ReplicationPad2d(1)(torch.tensor([[[1., 2.]]]))
        tensor([[[1., 1., 2., 2.],
                 [1., 1., 2., 2.],
                 [1., 1., 2., 2.]]])
    """

    _sides = 4


class CircularPad1d(_PadNd):
    """Pads the last dimension by wrapping around: the left border is the input's end.

    Args:
        padding: int, or ``(left, right)``; each at most the input size.

    Example::

        >>> nn.CircularPad1d(2)(torch.tensor([[1., 2., 3.]]))
        tensor([[2., 3., 1., 2., 3., 1., 2.]])
    """

    _mode = "circular"

    def forward(self, input: Tensor) -> Tensor:
        spatial = self._sides // 2
        if input.dim() not in (spatial + 1, spatial + 2):
            raise ValueError(f"expected {spatial + 1}D or {spatial + 2}D input (got "
                             f"{input.dim()}D input)")
        return F.pad(input, self.padding, "circular")


class CircularPad2d(CircularPad1d):
    """Pads the last two dimensions by wrapping around (a torus).

    Args:
        padding: int, or ``(left, right, top, bottom)``; each at most the size it pads.

    Example::

        >>> nn.CircularPad2d(1)(torch.arange(4.).view(1, 2, 2))
        tensor([[[3., 2., 3., 2.],
                 [1., 0., 1., 0.],
                 [3., 2., 3., 2.],
                 [1., 0., 1., 0.]]])
    """

    _sides = 4


__all__ = ["ConstantPad1d", "ConstantPad2d", "ZeroPad1d", "ZeroPad2d", "ReflectionPad1d",
           "ReflectionPad2d", "ReplicationPad1d", "ReplicationPad2d", "CircularPad1d",
           "CircularPad2d"]
