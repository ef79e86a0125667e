"""How the one-input elementwise ops of ``transcendental.py`` and ``sign_and_rounding.py`` are
built: checking the input, wrapping the result and attaching the backward ``Node``.

An op computes its array, then ``finish(res, input, NodeClass, out)`` wraps it and attaches the
node. What a node keeps for its derivative is said by its base class: ``SavesInput`` keeps the
op's input x (``log``: g / x); a node with ``keeps_output = True`` gets the op's output y
(``exp``: g * y, the derivative is the output itself); ``ZeroGradient`` keeps nothing (``floor`` is
flat). Each formula is written with glasstorch ops, so ``create_graph=True`` differentiates it
again.
"""

from __future__ import annotations

import numpy as np

from .. import _dtype
from .._errors import not_implemented_for, not_tensor
from .._tensor import _wrap
from ..autograd import grad_mode
from ..autograd.graph import Node, attach
from ._inplace import write_out

_DEFAULT = _dtype._default  # ``_DEFAULT.float``: the dtype integer inputs become


class SavesInput(Node):
    """A one-input node that keeps its input for backward (``(x,) = self.saved_tensors``)."""

    def __init__(self, input):
        super().__init__(input)
        self.save(input)


class ZeroGradient(Node):
    """The backward of a piecewise-constant op (``floor``, ``sign``): the gradient is 0."""

    def backward(self, grad):
        return _wrap(np.zeros_like(grad._data))


def float_data(input, op: str) -> np.ndarray:
    """``input``'s array, as the default float dtype if it holds integers or bools."""
    try:
        x = input._data
    except AttributeError:
        raise not_tensor(op, input) from None
    return x if x.dtype.kind in "fc" else x.astype(_DEFAULT.float.np)


def checked(input, op: str, kernel: str, floats_only: bool = False) -> np.ndarray:
    """``input``'s array, refused (as torch's kernels refuse it) if bool, or not float when
    ``floats_only``."""
    try:
        x = input._data
    except AttributeError:
        raise not_tensor(op, input) from None
    if x.dtype.kind == "b" or (floats_only and x.dtype.kind not in "fc"):
        raise not_implemented_for(kernel, x.dtype)
    return x


def finish(res, input, node_type, out):
    """Wrap the result array ``res`` of a one-input op, attach ``node_type`` (if ``input``
    requires grad) and honour ``out=``."""
    res = _wrap(res)  # (a NumPy scalar from a 0-d input becomes a 0-d array)
    if input._rg and grad_mode.state.enabled:  # hot path: no attach call without grad
        attach(res, node_type, input)
    return res if out is None else write_out(res, out)


def float_op(name: str, compute, node_type, doc: str, quiet: bool = True):
    """A float op ``name(input, *, out=None)``: ``compute`` on the (float) array, then
    ``node_type``.

    ``quiet``: the op can overflow or leave its domain (``log(-1)``), where torch silently gives
    inf or NaN; NumPy's warnings are silenced for it (which costs ~1 us, so only where needed).
    """
    if not quiet:

        def op(input, *, out=None):
            return finish(compute(float_data(input, name)), input, node_type, out)

    else:

        def op(input, *, out=None):
            x = float_data(input, name)
            with np.errstate(all="ignore"):
                res = compute(x)
            return finish(res, input, node_type, out)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    if isinstance(compute, np.ufunc):  # the in-place form can then write into the array itself
        op.into = _into(compute, quiet)
    return op


def _into(ufunc, quiet: bool):
    """The fast path of ``x.exp_()`` and friends: the ufunc writes into the float array itself."""

    def into(x):
        if quiet:
            with np.errstate(all="ignore"):
                ufunc(x, out=x)
        else:
            ufunc(x, out=x)
        return True

    return into
