"""How the one-input elementwise ops of ``transcendental.py`` and ``sign_and_rounding.py`` are
built: checking the input, wrapping the result, and making the backward ``Node``.

For the one-input ops the node is made by ``_node(name, keep, formula)``: ``keep`` says what the
derivative needs, the op's ``"input"`` x or its ``"output"`` y (``exp``'s derivative is its own
output), and ``formula(g, v)`` turns the incoming gradient ``g`` into the input's gradient, e.g.
``g * y`` for ``exp``. ``_finish`` wraps a result array and attaches such a node.
"""

from __future__ import annotations

import numpy as np

from .. import _dtype
from .._tensor import _wrap
from ..autograd import grad_mode
from ..autograd.graph import Node
from ._inplace import _dtype_name
from .comparison import _out, not_tensor

_DEFAULT = _dtype._default  # ``_DEFAULT.float``: the dtype integer inputs become


def _float_data(input, op: str) -> np.ndarray:
    """``input``'s array, as the default float dtype if it holds integers or bools."""
    try:
        x = input._data
    except AttributeError:
        raise not_tensor(op, input) from None
    return x if x.dtype.kind in "fc" else x.astype(_DEFAULT.float.np)


def _finish(res, input, node, out):
    """Wrap a result array; if ``input`` requires grad, attach ``node`` (saving what it keeps)."""
    if type(res) is not np.ndarray:  # NumPy gives a scalar for a 0-d input
        res = np.asarray(res)
    res = _wrap(res)
    if input._rg and grad_mode.state.enabled:
        res._rg = True
        fn = node(input)
        if node.keep == "input":
            fn.save(input)
        elif node.keep == "output":
            fn.save_output(res)
        res._grad_fn = fn
    return res if out is None else _out(res, out)


def _float_op(name: str, compute, node, doc: str, quiet: bool = True):
    """A float op ``name(input, *, out=None)``: ``compute`` on the (float) array, then ``node``.

    ``quiet``: the op can overflow or leave its domain (``log(-1)``), where torch silently gives
    inf or NaN; NumPy's warnings are silenced for it (which costs ~1 us, so only where needed).
    """
    if not quiet:

        def op(input, *, out=None):
            return _finish(compute(_float_data(input, name)), input, node, out)

    else:

        def op(input, *, out=None):
            x = _float_data(input, name)
            with np.errstate(all="ignore"):
                res = compute(x)
            return _finish(res, input, node, out)

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


def _node(name: str, keep: str | None, formula, doc: str = ""):
    """A ``Node`` class called ``name`` whose backward is ``formula(grad, saved)``: ``saved`` is the
    op's input (``keep="input"``) or output (``keep="output"``). Formulas use glasstorch ops, so
    ``create_graph=True`` differentiates them again."""

    def backward(self, grad):
        if keep == "output":
            return formula(grad, self.saved_output)
        return formula(grad, self.saved_tensors[0] if keep else None)

    return type(name, (Node,), {"keep": keep, "backward": backward, "__doc__": doc,
                                "__module__": "glasstorch.ops.pointwise"})  # re-exported there


def _zeros_like(grad, _=None):
    return _wrap(np.zeros_like(grad._data))

def _checked(input, op: str, kernel: str, floats_only: bool = False) -> np.ndarray:
    """``input``'s array, refused (as torch's kernels refuse it) if bool, or not float when
    ``floats_only``."""
    try:
        x = input._data
    except AttributeError:
        raise not_tensor(op, input) from None
    if x.dtype.kind == "b" or (floats_only and x.dtype.kind not in "fc"):
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_dtype_name(x.dtype)}'")
    return x
