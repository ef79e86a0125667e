"""Linear layers: ``Identity``, ``Linear`` (``y = x Wᵀ + b``), ``Bilinear`` and ``LazyLinear``."""

from __future__ import annotations

import math

from ... import _creation
from ..._tensor import Tensor
from .. import functional as F
from .. import init
from ..parameter import Parameter, UninitializedParameter
from .lazy import LazyModuleMixin
from .module import Module


class Identity(Module):
    """Returns its input unchanged (any constructor arguments are ignored): a placeholder layer,
    e.g. to remove a layer from a model without changing its structure.

    Shape:
        - Input: ``(*)``, any shape. Output: the same tensor.

    Example::

        >>> nn.Identity(54, unused="x")(torch.zeros(2, 3)).shape
        torch.Size([2, 3])
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return input


class Linear(Module):
    """Applies an affine map to the last dimension: ``y = x @ W.T + b``.

    Args:
        in_features (int): size of each input sample (the last dimension of ``x``).
        out_features (int): size of each output sample.
        bias (bool): learn an additive bias ``b`` (default: ``True``).

    Shape:
        - Input: ``(*, in_features)``, any number of leading dimensions.
        - Output: ``(*, out_features)``.

    Attributes:
        weight: shape ``(out_features, in_features)``, initialised U(-k, k) with
            ``k = 1 / sqrt(in_features)``.
        bias: shape ``(out_features,)``, initialised U(-k, k) too (``None`` if ``bias=False``).

    Example::

        >>> m = nn.Linear(20, 30)
        >>> m(torch.randn(128, 20)).shape
        torch.Size([128, 30])
    """

    __constants__ = ["in_features", "out_features"]

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(
            _creation.empty((out_features, in_features), device=device, dtype=dtype)
        )
        if bias:
            self.bias = Parameter(_creation.empty(out_features, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw fresh initial values: weight and bias both U(-1/sqrt(in), 1/sqrt(in))."""
        # kaiming_uniform_ with a=sqrt(5) has gain sqrt(1/3), so bound = 1/sqrt(fan_in).
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class NonDynamicallyQuantizableLinear(Linear):
    """A ``Linear`` under another name: the output projection of ``nn.MultiheadAttention``.

    torch gives the layer its own class so its quantization tools leave it alone; here it only
    keeps torch's printed form (``(out_proj): NonDynamicallyQuantizableLinear(...)``).
    """


class Bilinear(Module):
    """Applies ``y[k] = x1 @ W[k] @ x2 + b[k]`` for each output feature ``k``.

    Args:
        in1_features (int): size of each first input sample.
        in2_features (int): size of each second input sample.
        out_features (int): size of each output sample.
        bias (bool): learn an additive bias (default: ``True``).

    Shape:
        - Input1: ``(*, in1_features)``; Input2: ``(*, in2_features)`` (same leading dims).
        - Output: ``(*, out_features)``.

    Attributes:
        weight: shape ``(out_features, in1_features, in2_features)``; weight and bias are
            initialised U(-k, k) with ``k = 1 / sqrt(in1_features)``.

    Example::

        >>> m = nn.Bilinear(20, 30, 40)
        >>> m(torch.randn(128, 20), torch.randn(128, 30)).shape
        torch.Size([128, 40])
    """

    __constants__ = ["in1_features", "in2_features", "out_features"]

    def __init__(self, in1_features: int, in2_features: int, out_features: int, bias: bool = True,
                 device=None, dtype=None) -> None:
        super().__init__()
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        self.weight = Parameter(_creation.empty(
            (out_features, in1_features, in2_features), device=device, dtype=dtype
        ))
        if bias:
            self.bias = Parameter(_creation.empty(out_features, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw fresh initial values: U(-1/sqrt(in1), 1/sqrt(in1)) for weight and bias."""
        bound = 1 / math.sqrt(self.weight._data.shape[1])
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1: Tensor, input2: Tensor) -> Tensor:
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
            f"out_features={self.out_features}, bias={self.bias is not None}"
        )


class LazyLinear(LazyModuleMixin, Linear):
    """A ``Linear`` whose ``in_features`` is read from the first input it sees.

    Until the first call the weight and bias are ``UninitializedParameter`` placeholders; the
    first call sets ``in_features = input.shape[-1]``, allocates and initialises them as
    ``Linear`` does, and the module becomes a plain ``Linear``.

    Args:
        out_features (int): size of each output sample.
        bias (bool): learn an additive bias (default: ``True``).

    Example::

        >>> m = nn.LazyLinear(10)
        >>> m(torch.zeros(4, 7)).shape
        torch.Size([4, 10])
        >>> m
        Linear(in_features=7, out_features=10, bias=True)
    """

    cls_to_become = Linear

    def __init__(self, out_features: int, bias: bool = True, device=None, dtype=None) -> None:
        super().__init__(0, 0, False)
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        self.out_features = out_features
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor) -> None:
        """Allocate the weight ``(out_features, input.shape[-1])`` (and bias) and initialise."""
        if self.has_uninitialized_params():
            self.in_features = input._data.shape[-1]
            self.weight.materialize((self.out_features, self.in_features))
            if self.bias is not None:
                self.bias.materialize((self.out_features,))
            self.reset_parameters()
        elif self.in_features == 0:
            # the parameters were loaded from a state dict: read the size off the weight
            self.in_features = self.weight._data.shape[1]


__all__ = ["Identity", "Linear", "Bilinear", "LazyLinear", "NonDynamicallyQuantizableLinear"]
