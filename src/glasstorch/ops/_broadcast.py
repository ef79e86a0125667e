"""Undo broadcasting in a gradient: the one place that knows how.

When an op broadcast an input of shape ``(3, 1)`` against ``(2, 3, 4)``, the gradient arriving for
that input has the broadcast shape ``(2, 3, 4)``; the input's gradient is that summed over the
dimensions broadcasting added (the leading 2) and those it stretched (the 1 → 4), giving ``(3, 1)``.
"""

from __future__ import annotations

import builtins

import numpy as np

from .._tensor import _wrap
from ..autograd import grad_mode


def unbroadcast(grad, shape: tuple):
    """Sum ``grad`` (a Tensor) down to ``shape``; ``grad`` itself when already that shape."""
    gshape = grad._data.shape
    if gshape == shape:
        return grad
    lead = len(gshape) - len(shape)
    dims = list(range(lead))
    for i, n in enumerate(shape):
        if n == 1 and gshape[lead + i] != 1:
            dims.append(lead + i)
    if not grad_mode.state.enabled:  # fast path: a plain backward sums the array, no op dispatch
        g = np.add.reduce(grad._data, axis=tuple(dims), keepdims=True) if dims else grad._data
        return _wrap(g.reshape(shape) if lead else g)
    out = grad.sum(dim=tuple(dims), keepdim=True) if dims else grad
    if lead:
        out = out.reshape(shape)
    return out


def broadcast_error(*shapes) -> RuntimeError:
    """torch's message for shapes that do not broadcast, naming the first clash from the right."""
    n = builtins.max(len(s) for s in shapes)
    padded = [(1,) * (n - len(s)) + tuple(s) for s in shapes]
    for d in range(n - 1, -1, -1):
        sizes = [p[d] for p in padded]
        for i, a in enumerate(sizes):
            for j in range(i + 1, len(sizes)):
                b = sizes[j]
                if a != b and a != 1 and b != 1:
                    return RuntimeError(
                        f"The size of tensor a ({a}) must match the size of tensor b ({b}) at "
                        f"non-singleton dimension {d}"
                    )
    return RuntimeError(f"shapes {[list(s) for s in shapes]} cannot be broadcast together")


def broadcast_shape(*shapes) -> tuple:
    """The shape tensors of ``shapes`` broadcast to, or torch's RuntimeError naming the rightmost
    dimension whose sizes disagree."""
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        raise broadcast_error(*shapes) from None
