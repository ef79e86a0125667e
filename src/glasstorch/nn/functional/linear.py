"""``linear``: ``y = x W^T + b``, the affine map of a fully connected layer.

For a batch of rows ``x`` (N, in) with a bias, one fused ``AddmmBackward0`` node (the op
``addmm``'s own, ``ops/linalg.py``) records it: the step every ``nn.Linear`` of an MLP takes.
The other forms are composed as torch composes them, so the graph shows the same steps: without a
bias ``x @ W.T`` is a ``matmul``; a single vector or a higher-rank batch with a bias is reshaped to
rows, goes through the 2-D form, and is reshaped back.
"""

from __future__ import annotations

import numpy as np

from ... import _dtype, _parallel
from ..._errors import not_tensor
from ..._tensor import Tensor, _wrap
from ...autograd.graph import attach
from ...ops.linalg import AddmmBackward0


# ---- linear ------------------------------------------------------------------------------------
def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias``: the affine map of a fully connected layer.

    Shapes: input (*, in_features), weight (out_features, in_features), bias (out_features,)
    → output (*, out_features). Any number of leading dimensions (or none: a single vector).
    """
    if not isinstance(input, Tensor):
        raise not_tensor("linear", input, "input", 1)
    if not isinstance(weight, Tensor):
        raise not_tensor("linear", weight, "weight", 2)
    x, w = input._data, weight._data
    if x.ndim == 0 or w.ndim == 0:
        raise RuntimeError(
            f"both arguments to linear need to be at least 1D, but they are {x.ndim}D and "
            f"{w.ndim}D"
        )
    if w.ndim != 2:
        out = input.matmul(weight)
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
            f"expected m1 and m2 to have the same dtype, but got: {_dtype.c_name(x.dtype)} != "
            f"{_dtype.c_name(w.dtype)}"
        )
    if bias is None:
        return input.matmul(weight.t())
    if x.ndim == 2:  # rows (N, in): one AddmmBackward0 node whose mat2 is W itself, not W.T
        out = _parallel.matmul(x, w.T)  # a big product on every BLAS thread
        b = bias._data
        if b.shape != (out_f,):
            _check_bias(b, out.shape)
        out += b
        return attach(_wrap(out), AddmmBackward0, bias, input, weight, transposed=True)
    if bias._data.ndim > 1:  # a bias with batch dimensions of its own is added after the product
        _check_bias(bias._data, x.shape[:-1] + (out_f,))
        return input.matmul(weight.t()) + bias
    rows = input.reshape(int(np.prod(x.shape[:-1])), in_f)  # a vector or a batch: as rows
    return linear(rows, weight, bias).reshape(x.shape[:-1] + (out_f,))


def _same_dtype(first: str, a: np.dtype, b: np.dtype) -> str:
    """torch's addmm wording when ``first`` (``self``: the bias, ``mat1``: the input) and the
    weight differ in dtype."""
    return (f"{first} and mat2 must have the same dtype, but got {_dtype.scalar_name(a)} and "
            f"{_dtype.scalar_name(b)}")


def _check_bias(b: np.ndarray, shape: tuple) -> None:
    try:
        np.broadcast_shapes(b.shape, shape)
    except ValueError:
        raise RuntimeError(
            f"The expanded size of the tensor ({shape[-1]}) must match the existing size "
            f"({b.shape[-1]}) at non-singleton dimension {len(shape) - 1}.  Target sizes: "
            f"{list(shape)}.  Tensor sizes: {list(b.shape)}"
        ) from None


# ---- bilinear ----------------------------------------------------------------------------------
def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``y[..., k] = input1 @ weight[k] @ input2 + bias[k]``: one bilinear form per output.

    Shapes: input1 (*, in1), input2 (*, in2) with the same leading dimensions, weight
    (out, in1, in2), bias (out,) → (*, out). Composed of tensor ops as torch composes it (so the
    graph ends in a ``view``, then the bias ``add``): the rows of ``input1`` times the weight laid
    out as (in1, out * in2) give, for each row, ``out`` vectors of length in2, each dotted with
    that row of ``input2``.

    Example::

        >>> F.bilinear(torch.randn(128, 20), torch.randn(128, 30), torch.randn(40, 20, 30)).shape
        torch.Size([128, 40])
    """
    if not isinstance(input1, Tensor):
        raise not_tensor("bilinear", input1, "input1", 1)
    if not isinstance(input2, Tensor):
        raise not_tensor("bilinear", input2, "input2", 2)
    if not isinstance(weight, Tensor):
        raise not_tensor("bilinear", weight, "weight", 3)
    _check_bilinear(input1, input2, weight, bias)
    out_f, in1, in2 = weight._data.shape
    rows1, rows2 = input1.reshape(-1, in1), input2.reshape(-1, in2)
    left = rows1.matmul(weight.transpose(0, 1).reshape(in1, out_f * in2))  # (M, out * in2)
    forms = (left.reshape(-1, out_f, in2) * rows2.unsqueeze(1)).sum(-1)   # (M, out)
    if forms._data.dtype != weight._data.dtype:  # integers: sum widens to int64, torch does not
        forms = forms.to(weight.dtype)
    out = forms.reshape(*input1._data.shape[:-1], out_f)
    return out + bias if bias is not None else out


def _check_bilinear(x1: Tensor, x2: Tensor, weight: Tensor, bias: Tensor | None) -> None:
    """Raise torch's errors for inputs that do not fit a bilinear layer."""
    a, b, w = x1._data, x2._data, weight._data
    if a.ndim == 0 or b.ndim == 0:
        raise IndexError("Dimension specified as -1 but tensor has no dimensions")
    if a.ndim != b.ndim:
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {a.ndim} and {b.ndim}")
    for d in range(a.ndim - 1):
        if a.shape[d] != b.shape[d]:
            raise RuntimeError(
                f"bilinear(): input batch dimensions do not match at dim {d}: got "
                f"{a.shape[d]} and {b.shape[d]}"
            )
    if a.shape[-1] != w.shape[1]:
        raise RuntimeError(
            f"bilinear(): input1 size does not match weight size: got {a.shape[-1]} but "
            f"expected {w.shape[1]}"
        )
    if w.ndim != 3:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-w.ndim}, "
                         f"{w.ndim - 1}], but got 2)")
    if b.shape[-1] != w.shape[2]:
        raise RuntimeError(
            f"bilinear(): input2 size does not match weight size: got {b.shape[-1]} but "
            f"expected {w.shape[2]}"
        )
    if bias is not None and bias._data.shape[-1:] != w.shape[:1]:
        raise RuntimeError(
            f"bilinear(): bias size does not match weight size: got "
            f"{bias._data.shape[-1] if bias._data.ndim else 0} but expected {w.shape[0]}"
        )
    dtypes = [a.dtype, b.dtype, w.dtype] + ([] if bias is None else [bias._data.dtype])
    if len(set(dtypes)) > 1:
        names = [_dtype.c_name(d) for d in dtypes]
        listed = f"input1: {names[0]}, input2: {names[1]}, weight: {names[2]}"
        if bias is not None:
            listed += f", bias: {names[3]}"
        raise RuntimeError(f"All tensors must have the same dtype, got {listed}")



__all__ = ["linear", "bilinear"]
