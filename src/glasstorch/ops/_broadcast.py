"""Undo broadcasting in a gradient: the one place that knows how.

When an op broadcast an input of shape ``(3, 1)`` against ``(2, 3, 4)``, the gradient arriving for
that input has the broadcast shape ``(2, 3, 4)``; the input's gradient is that summed over the
dimensions broadcasting added (the leading 2) and those it stretched (the 1 → 4), giving ``(3, 1)``.
"""

from __future__ import annotations


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
    out = grad.sum(dim=tuple(dims), keepdim=True) if dims else grad
    if lead:
        out = out.reshape(shape)
    return out
