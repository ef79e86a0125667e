"""What the elementwise functions of ``nn.functional`` are built from.

An activation maps each element on its own, ``(*) -> (*)``: its forward is one NumPy pass over
the input's array, its backward one node, the input's gradient being the incoming gradient times
the activation's derivative at the input (the chain rule, elementwise). This module holds the parts
that the three activation files (``activation``, ``activation_smooth``, ``activation_hard``) and
the losses share:

- ``need_float``: the input's array, refused (as torch's kernels refuse it) when not floating;
- ``as_array``: a NumPy result as an array of a given dtype; ``nd``: as an array;
  ``contiguous``: a C-contiguous array, on the array's device;
- ``sigmoid_np`` / ``softplus_np``: sigmoid and softplus on arrays, without overflow;
- ``Activation``: the base node, ``grad * derivative(x)``;
- ``apply_inplace``: run an activation in place (``F.elu_``, ``inplace=True``).
"""

from __future__ import annotations

import numpy as np

from ... import _array
from ..._errors import not_implemented_for
from ..._tensor import Tensor, _wrap
from ...autograd.graph import Node
from ...ops import _inplace


def need_float(input: Tensor, kernel: str) -> np.ndarray:
    """The input's array, or torch's NotImplementedError when the kernel has no integer version:
    ``"elu_cpu" not implemented for 'Long'``."""
    x = input._data
    if x.dtype.kind != "f":
        raise not_implemented_for(kernel, x.dtype)
    return x


def as_array(v, dtype) -> np.ndarray:
    """``v`` as an ndarray of ``dtype`` (NumPy turns 0-d results into scalars; undo that). A
    device array stays on its device."""
    if type(v) is np.ndarray and v.dtype == dtype:
        return v
    if not _array.on_host(v):
        return v if v.dtype == dtype else v.astype(dtype)
    return np.asarray(v, dtype)


def nd(v):
    """``v`` as an array: a NumPy scalar (what NumPy makes of a 0-d result) as a 0-d array; an
    array, NumPy's or a device's, as it is."""
    if type(v) is np.ndarray or not _array.on_host(v):
        return v
    return np.asarray(v)


def contiguous(a):
    """``a`` C-contiguous (a copy when it is not), NumPy's or CuPy's: ``np.ascontiguousarray``
    does not dispatch to CuPy."""
    if _array.on_host(a):
        return np.ascontiguousarray(a)
    return _array.namespace(a).ascontiguousarray(a)


def sigmoid_np(x: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-x) without overflow warnings (e^-x may be inf: the result is then 0)."""
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-x))


def softplus_np(x: np.ndarray) -> np.ndarray:
    """log(1 + e^x), computed as max(x, 0) + log1p(e^-|x|) so it never overflows."""
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


class Activation(Node):
    """Base of the activation nodes: the input's gradient is ``grad * derivative(x)``.

    The node keeps the input ``x`` (``save``); the op's settings (a slope, ``alpha``...) are
    keyword arguments that become attributes: ``LeakyReluBackward0(x, negative_slope=0.01)``.
    A subclass writes ``derivative(x)`` with glasstorch ops on the tensor ``x``, so that
    ``create_graph=True`` can differentiate the gradient again. A piecewise-linear activation's
    derivative is a constant (0, 1, a slope) on each piece: an array, made a tensor by ``mask``.
    """

    def __init__(self, input, **settings):
        super().__init__(input)
        self.save(input)
        vars(self).update(settings)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad * self.derivative(x)

    def derivative(self, x: Tensor) -> Tensor:  # pragma: no cover - every subclass defines it
        raise NotImplementedError(type(self).__name__)


def mask(values, x: Tensor) -> Tensor:
    """A constant derivative (an array of 0s, 1s, slopes) as a tensor of ``x``'s dtype."""
    return _wrap(as_array(values, x._data.dtype))


def apply_inplace(input: Tensor, compute, name: str) -> Tensor:
    """Run an activation in place: same tensor object, new values, version bumped.

    ``compute(t)`` is the out-of-place activation, building the node the in-place form records
    (torch names some differently: ``elu_`` records ``EluBackward1``). When the graph is recorded,
    it runs on an alias of the old value (so the node keeps the input as it was, not the tensor
    being overwritten) and ``input`` takes its grad_fn.
    """
    if _inplace.recording(input):
        return _inplace.commit(input, compute(_inplace.old_value(input)), name)
    _inplace.write(input, compute(input)._data, name)
    return input
