"""``linear``: ``y = x W^T + b``, one fused matmul-and-bias node."""

from __future__ import annotations

import numpy as np

from ..._tensor import Tensor, _wrap
from ...autograd import grad_mode
from ...autograd.graph import Node
from .activation import _not_tensor

_CTYPE = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
          "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
          "bool": "bool"}
_KIND = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
         "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


# ---- linear ------------------------------------------------------------------------------------
def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias``: the affine map of a fully connected layer, one fused node.

    Shapes: input (*, in_features), weight (out_features, in_features), bias (out_features,)
    → output (*, out_features). Any number of leading dimensions (or none: a single vector).
    """
    if not isinstance(input, Tensor):
        raise _not_tensor("linear", "input", 1, input)
    if not isinstance(weight, Tensor):
        raise _not_tensor("linear", "weight", 2, weight)
    x, w = input._data, weight._data
    if x.ndim == 0 or w.ndim == 0:
        raise RuntimeError(
            f"both arguments to linear need to be at least 1D, but they are {x.ndim}D and "
            f"{w.ndim}D"
        )
    if w.ndim != 2:
        out = input.matmul(weight.t() if w.ndim == 2 else weight)
        return out + bias if bias is not None else out
    if bias is not None:  # torch's addmm: dtypes first (bias, then input, against the weight)
        if bias._data.dtype != w.dtype:
            raise RuntimeError(_same_dtype("self", bias._data.dtype, w.dtype))
        if x.dtype != w.dtype:
            raise RuntimeError(_same_dtype("mat1", x.dtype, w.dtype))
    out_f, in_f = w.shape
    if x.shape[-1] != in_f:
        rows = int(np.prod(x.shape[:-1])) if x.ndim > 1 else 1
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({rows}x{x.shape[-1]} and {in_f}x{out_f})"
        )
    if x.dtype != w.dtype:  # without a bias (torch's mm): the shapes first, then the dtypes
        raise RuntimeError(
            f"expected m1 and m2 to have the same dtype, but got: {_CTYPE.get(x.dtype.name)} != "
            f"{_CTYPE.get(w.dtype.name)}"
        )
    out = x @ w.T
    if bias is not None:
        b = bias._data
        if b.shape != (out_f,):
            _check_bias(b, out.shape)
        out += b
    res = _wrap(out)
    if grad_mode.state.enabled and (input._rg or weight._rg or (bias is not None and bias._rg)):
        res._rg = True
        if bias is None:
            node = (MmBackward0 if x.ndim == 2 else
                    SqueezeBackward4 if x.ndim == 1 else UnsafeViewBackward0)(input, weight)
        else:
            node = (AddmmBackward0 if x.ndim == 2 else ViewBackward0)(input, weight, bias)
        node.save(input, weight)
        node.bias_shape = bias._data.shape if bias is not None else None
        res._grad_fn = node
    return res


def _same_dtype(first: str, a: np.dtype, b: np.dtype) -> str:
    """torch's addmm wording when ``first`` (``self``: the bias, ``mat1``: the input) and the
    weight differ in dtype."""
    return (f"{first} and mat2 must have the same dtype, but got {_KIND.get(a.name)} and "
            f"{_KIND.get(b.name)}")


def _check_bias(b: np.ndarray, shape: tuple) -> None:
    try:
        np.broadcast_shapes(b.shape, shape)
    except ValueError:
        raise RuntimeError(
            f"The expanded size of the tensor ({shape[-1]}) must match the existing size "
            f"({b.shape[-1]}) at non-singleton dimension {len(shape) - 1}.  Target sizes: "
            f"{list(shape)}.  Tensor sizes: {list(b.shape)}"
        ) from None


class AddmmBackward0(Node):
    """Backward of ``y = x @ W.T + b`` with x flattened to (M, in), g = dL/dy as (M, out)::

        dL/dx = g @ W      (M, in)
        dL/dW = g.T @ x    (out, in)
        dL/db = g.sum(0)   (out,)

    Only the gradients some input needs are computed. torch names the node after its kernel:
    AddmmBackward0 (2-D input with bias), MmBackward0 (no bias), and for other input ranks the
    reshape on top of it (ViewBackward0, UnsafeViewBackward0, SqueezeBackward4); here one node
    does the whole step under each of those names.
    """

    def backward(self, grad):
        x, w = self.saved_tensors
        needs = self.needs_input_grad
        out_f, in_f = w._data.shape
        if grad_mode.state.enabled:
            g2 = grad.reshape(-1, out_f)
            gx = (g2 @ w).reshape(x.shape) if needs[0] else None
            gw = g2.t() @ x.reshape(-1, in_f) if needs[1] else None
            gb = _sum_to(g2.sum(0), self.bias_shape) if len(needs) > 2 and needs[2] else None
        else:
            g2 = grad._data.reshape(-1, out_f)
            gx = _wrap((g2 @ w._data).reshape(x._data.shape)) if needs[0] else None
            gw = _wrap(g2.T @ x._data.reshape(-1, in_f)) if needs[1] else None
            gb = None
            if len(needs) > 2 and needs[2]:
                gb = _sum_to(_wrap(g2.sum(0)), self.bias_shape)
        return (gx, gw, gb) if len(needs) > 2 else (gx, gw)


def _sum_to(g: Tensor, shape: tuple) -> Tensor:
    from ...ops._broadcast import unbroadcast

    return unbroadcast(g, shape)


class MmBackward0(AddmmBackward0):
    """``linear`` of a 2-D input without bias."""


class ViewBackward0(AddmmBackward0):
    """``linear`` with bias of a 1-D or N-D input (torch reshapes to 2-D around addmm)."""


class UnsafeViewBackward0(AddmmBackward0):
    """``linear`` without bias of an N-D input."""


class SqueezeBackward4(AddmmBackward0):
    """``linear`` without bias of a 1-D input."""


__all__ = ["linear"]
