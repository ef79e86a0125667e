"""Activation functions of ``torch.nn.functional``: each one NumPy pass forward and one node back.

Every activation here is a *fused* op: the forward runs on the raw array (``x._data``) and records a
single backward ``Node`` named as torch names it (``ReluBackward0``, ``GeluBackward0``,
``SoftmaxBackward0``...). A node's backward multiplies the incoming gradient by the local
derivative, computed from what the forward saved:

- on the ordinary path (``loss.backward()``: grad mode is off while backward runs) the derivative
  is a NumPy array and the gradient is one multiplication, no graph;
- with ``create_graph=True`` grad mode is on during backward, and the derivative is built from
  glasstorch ops so that the gradient itself can be differentiated again. For the piecewise-linear
  activations (relu, leaky_relu, hardtanh, relu6) the derivative is a constant 0/1/slope mask, so
  the array is already exact.

The smooth gates (gelu, silu, mish, softplus, ...) are in ``activation_smooth``
, the softmax family in ``softmax``. ``sigmoid``, ``tanh`` and
``softsign`` are not fused: torch's functional forms call the tensor ops (``input.sigmoid()``), and
so do we.
"""

from __future__ import annotations

import numpy as np

from ..._tensor import Tensor, _wrap
from ...autograd import grad_mode
from ...autograd.graph import Node
from ...ops import _inplace

_NAMES = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
          "bool": "Bool", "float16": "Half", "complex64": "ComplexFloat",
          "complex128": "ComplexDouble"}


def _not_tensor(fn: str, arg: str, position: int, value) -> TypeError:
    """torch's TypeError for a non-tensor argument (a list, an ndarray...)."""
    return TypeError(
        f"{fn}(): argument '{arg}' (position {position}) must be Tensor, not "
        f"{type(value).__name__}"
    )


def _need_float(input: Tensor, kernel: str) -> np.ndarray:
    """The input's array, or torch's NotImplementedError when the kernel has no integer version."""
    x = input._data
    if x.dtype.kind != "f":
        raise NotImplementedError(
            f'"{kernel}" not implemented for \'{_NAMES.get(x.dtype.name, x.dtype.name)}\''
        )
    return x


def _as(v, dtype) -> np.ndarray:
    """``v`` as an ndarray of ``dtype`` (NumPy turns 0-d results into scalars; undo that)."""
    return v if type(v) is np.ndarray and v.dtype == dtype else np.asarray(v, dtype)


def _record(input: Tensor, out: np.ndarray, node_cls, *args) -> Tensor:
    """Wrap ``out``; when ``input`` requires grad, attach ``node_cls(input, *args)`` as grad_fn."""
    res = _wrap(_as(out, input._data.dtype))
    if input._rg and grad_mode.state.enabled:
        res._rg = True
        res._grad_fn = node_cls(input, *args).save_output(res)
    return res


def _apply_inplace(input: Tensor, out_of_place, name: str, node_cls=None) -> Tensor:
    """Run an activation in place: same tensor object, new values, version bumped.

    When the graph is recorded, the op runs on an alias of the old value (so the saved input is not
    the tensor being overwritten) and ``input`` takes the op's grad_fn — renamed to ``node_cls``
    where torch names the in-place node differently (``EluBackward1`` for ``elu_``).
    """
    if _inplace.recording(input):
        _inplace.commit(input, out_of_place(_inplace.old_value(input)), name)
        if node_cls is not None and input._grad_fn is not None:
            input._grad_fn.__class__ = node_cls
        return input
    _inplace.write(input, out_of_place(input)._data, name)
    return input


class _Activation(Node):
    """Base of the activation nodes: gradient = incoming gradient x derivative.

    Subclasses define ``derivative()`` (a NumPy array from the saved input ``self.x`` / output
    ``self.saved_output``) and, for curved activations, ``derivative_graph(x)`` (the same, built
    from glasstorch ops so ``create_graph=True`` can differentiate it again).
    """

    def __init__(self, input, *params):
        super().__init__(input)
        self.save(input)
        self.params = params

    @property
    def x(self) -> np.ndarray:
        return self.saved_tensors[0]._data

    def backward(self, grad):
        if grad_mode.state.enabled:
            return grad * self.derivative_graph(self.saved_tensors[0])
        g = grad._data
        return _wrap(_as(g * self.derivative(), g.dtype))

    def derivative_graph(self, x: Tensor) -> Tensor:
        return _wrap(_as(self.derivative(), x._data.dtype))


# ---- ReLU family (piecewise linear) -------------------------------------------------------------
def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(0, x) elementwise. Shape kept. Gradient: 1 where the output is positive, else 0."""
    if not isinstance(input, Tensor):
        raise _not_tensor("relu", "input", 1, input)
    if inplace:
        return relu_(input)
    x = input._data
    if x.dtype.kind == "b":
        raise RuntimeError("Boolean inputs not supported for relu")
    return _record(input, np.maximum(x, 0, dtype=x.dtype), ReluBackward0)


def relu_(input: Tensor) -> Tensor:
    """In-place ``relu``: overwrites ``input`` and returns it."""
    return _apply_inplace(input, relu, "relu_")


class ReluBackward0(Node):
    """The output's positive entries are the mask: the gradient passes there, 0 elsewhere."""

    def __init__(self, input):
        super().__init__(input)

    def backward(self, grad):
        mask = self.saved_output._data > 0
        if grad_mode.state.enabled:
            return grad * _wrap(_as(mask, grad._data.dtype))
        return _wrap(_as(grad._data * mask, grad._data.dtype))


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x where x > 0, ``negative_slope * x`` elsewhere."""
    if inplace:
        return _apply_inplace(input, lambda t: leaky_relu(t, negative_slope), "leaky_relu_",
                              LeakyReluBackward1)
    x = _need_float(input, "leaky_relu_cpu")
    out = np.where(x > 0, x, x * np.asarray(negative_slope, x.dtype))
    return _record(input, out, LeakyReluBackward0, negative_slope)


class LeakyReluBackward0(_Activation):
    def derivative(self):
        x = self.x
        return np.where(x > 0, np.ones((), x.dtype), np.asarray(self.params[0], x.dtype))


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """x clipped to ``[min_val, max_val]``; gradient 1 strictly inside, 0 outside."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if inplace:
        return _apply_inplace(input, lambda t: hardtanh(t, min_val, max_val), "hardtanh_")
    x = input._data
    out = np.clip(x, min_val, max_val).astype(x.dtype, copy=False)
    return _record(input, out, HardtanhBackward0, min_val, max_val)


class LeakyReluBackward1(LeakyReluBackward0):
    """The node of in-place ``leaky_relu_`` (torch's name)."""


class HardtanhBackward0(_Activation):
    def derivative(self):
        x = self.x
        lo, hi = self.params
        return ((x > lo) & (x < hi)).astype(x.dtype)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(0, x), 6): ``hardtanh(x, 0, 6)`` (and torch names its node HardtanhBackward0)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """x where x > ``threshold``, else ``value``."""
    if inplace:
        return _apply_inplace(input, lambda t: globals()["threshold"](t, threshold, value),
                              "threshold_", ThresholdBackward1)
    x = input._data
    out = np.where(x > threshold, x, np.asarray(value, x.dtype))
    return _record(input, out, ThresholdBackward0, threshold)


class ThresholdBackward0(_Activation):
    def derivative(self):
        return (self.x > self.params[0]).astype(self.x.dtype)


class ThresholdBackward1(ThresholdBackward0):
    """The node of in-place ``threshold_``."""


# ---- exponential family -------------------------------------------------------------------------
def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, ``alpha * (exp(x) - 1)`` otherwise."""
    if inplace:
        return _apply_inplace(input, lambda t: elu(t, alpha), "elu_", EluBackward1)
    return _elu(input, alpha, 1.0, 1.0, EluBackward0)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """``scale * elu(x, alpha)``, self-normalising constants alpha≈1.6733, scale≈1.0507."""
    if inplace:
        return _apply_inplace(input, selu, "selu_", EluBackward1)
    return _elu(input, _SELU_ALPHA, _SELU_SCALE, 1.0, EluBackward0)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, ``alpha * (exp(x / alpha) - 1)`` otherwise."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    if inplace:
        return _apply_inplace(input, lambda t: celu(t, alpha), "celu_", CeluBackward1)
    return _elu(input, alpha, 1.0, 1.0 / alpha, CeluBackward0)


def _elu(input, alpha, scale, input_scale, node):
    x = _need_float(input, "elu_cpu")
    dt = x.dtype
    with np.errstate(over="ignore"):
        neg = dt.type(alpha * scale) * np.expm1(np.minimum(x, 0) * dt.type(input_scale))
    out = np.where(x > 0, x * np.asarray(scale, dt), neg)
    return _record(input, out, node, alpha, scale, input_scale)


class EluBackward0(_Activation):
    """d/dx: ``scale`` for x > 0, ``scale * alpha * input_scale * exp(x * input_scale)`` else."""

    def derivative(self):
        x = self.x
        alpha, scale, iscale = self.params
        dt = x.dtype
        with np.errstate(over="ignore"):
            neg = dt.type(scale * alpha * iscale) * np.exp(np.minimum(x, 0) * dt.type(iscale))
        return np.where(x > 0, dt.type(scale), neg)

    def derivative_graph(self, x):
        from ...ops.pointwise import where

        alpha, scale, iscale = self.params
        neg = (x.clamp(max=0) * iscale).exp() * (scale * alpha * iscale)
        return where(x > 0, scale, neg)


class CeluBackward0(EluBackward0):
    """celu is elu with ``input_scale = 1/alpha``; torch gives it its own node name."""


class EluBackward1(EluBackward0):
    """The node of in-place ``elu_`` and ``selu_``."""


class CeluBackward1(CeluBackward0):
    """The node of in-place ``celu_``."""


# ---- in-place spellings (``F.elu_(x)`` is ``F.elu(x, inplace=True)``) ---------------------------
def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """In-place ``leaky_relu``."""
    return leaky_relu(input, negative_slope, inplace=True)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """In-place ``hardtanh``."""
    return hardtanh(input, min_val, max_val, inplace=True)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    """In-place ``threshold``."""
    return globals()["threshold"](input, threshold, value, inplace=True)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """In-place ``elu``."""
    return elu(input, alpha, inplace=True)


def selu_(input: Tensor) -> Tensor:
    """In-place ``selu``."""
    return selu(input, inplace=True)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """In-place ``celu``."""
    return celu(input, alpha, inplace=True)


__all__ = [
    "leaky_relu_", "hardtanh_", "threshold_", "elu_", "selu_", "celu_",
    "relu", "relu_", "relu6", "leaky_relu", "hardtanh", "threshold", "elu", "selu", "celu",
]
