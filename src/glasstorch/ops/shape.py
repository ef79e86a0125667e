"""Shape ops: reshape/view and expand (more join as the family grows).

View ops return tensors that share memory and the version counter with their input (``_base``
points at it), as torch's views do; their backward reshapes the gradient back.
"""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap
from ..autograd import grad_mode
from ..autograd.graph import Node


def view_of(base: Tensor, arr: np.ndarray) -> Tensor:
    """Wrap ``arr`` (a NumPy view of ``base``'s array) as a view tensor of ``base``."""
    out = _wrap(arr)
    out._vc = base._vc
    out._base = base if base._base is None else base._base
    return out


def _shape_args(shape) -> tuple:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    return tuple(int(s) for s in shape)


def reshape(input, *shape):
    """The same values in a new shape (one size may be -1). Shares memory when it can."""
    shape = _shape_args(shape)
    x = input._data
    try:
        arr = x.reshape(shape)
    except ValueError:
        raise RuntimeError(
            f"shape '{list(shape)}' is invalid for input of size {x.size}"
        ) from None
    out = view_of(input, arr) if arr.base is not None or arr is x else _wrap(arr)
    if input._rg and grad_mode.state.enabled:
        out._rg = True
        out._grad_fn = ViewBackward0(input)
    return out


def view(input, *shape):
    """Like ``reshape``, but never copies (as torch, an error when the memory layout forbids it)."""
    if len(shape) == 1 and not isinstance(shape[0], (tuple, list, int)):
        from .. import _dtype

        return input.to(_dtype.to_dtype(shape[0]))
    x = input._data
    shape_t = _shape_args(shape)
    try:
        arr = x.view()
        arr.shape = shape_t
    except AttributeError:
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one "
            "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
        ) from None
    except ValueError:
        raise RuntimeError(f"shape '{list(shape_t)}' is invalid for input of size {x.size}") from None
    out = view_of(input, arr)
    if input._rg and grad_mode.state.enabled:
        out._rg = True
        out._grad_fn = ViewBackward0(input)
    return out


class ViewBackward0(Node):
    def __init__(self, x):
        super().__init__(x)
        self.shape = x._data.shape

    def backward(self, grad):
        return grad.reshape(self.shape)


def expand(input, *sizes):
    """A broadcast view with size-1 dimensions stretched to ``sizes`` (-1 keeps a size)."""
    sizes = _shape_args(sizes)
    x = input._data
    lead = len(sizes) - x.ndim
    if lead < 0:
        raise RuntimeError(
            f"expand(torch.{input.dtype.name.capitalize()}Tensor{{{list(x.shape)}}}, "
            f"size={list(sizes)}): the number of sizes provided ({len(sizes)}) must be greater or "
            f"equal to the number of dimensions in the tensor ({x.ndim})"
        )
    target = tuple(x.shape[i - lead] if s == -1 and i >= lead else s for i, s in enumerate(sizes))
    try:
        arr = np.broadcast_to(x, target)
    except ValueError:
        raise RuntimeError(
            f"The expanded size of the tensor ({target[-1]}) must match the existing size "
            f"({x.shape[-1]}) at non-singleton dimension {len(target) - 1}.  Target sizes: "
            f"{list(sizes)}.  Tensor sizes: {list(x.shape)}"
        ) from None
    out = view_of(input, arr)
    if input._rg and grad_mode.state.enabled:
        out._rg = True
        out._grad_fn = ExpandBackward0(input)
    return out


class ExpandBackward0(Node):
    def __init__(self, x):
        super().__init__(x)
        self.shape = x._data.shape

    def backward(self, grad):
        from ._broadcast import unbroadcast

        return unbroadcast(grad, self.shape)


Tensor.reshape, Tensor.view, Tensor.expand = reshape, view, expand

__all__ = ["reshape"]
