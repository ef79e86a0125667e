"""Logical and bitwise ops: ``logical_and``/``or``/``xor``/``not`` on truth values, and
``bitwise_and``/``or``/``xor``/``not`` (the ``&``, ``|``, ``^``, ``~`` operators) on the bits of
integer and bool tensors.

Both give results that never carry a ``grad_fn``. Shapes broadcast as in arithmetic: ``(3, 1)``
against ``(4,)`` gives ``(3, 4)``.
"""

from __future__ import annotations

import numpy as np

from .._errors import not_implemented_for, not_tensor
from .._tensor import Tensor, _wrap
from ._checks import OPERAND, binary, data_of, pair
from ._inplace import inplace_of
from ._inplace import write_out as _out
from ._promote import same_device


# ---- logical and bitwise ---------------------------------------------------------------------
def _logical(name: str, ufunc):
    def op(input, other, *, out=None):
        if not isinstance(other, Tensor):
            raise not_tensor(name, other, "other", 2)
        if not isinstance(input, Tensor):
            raise not_tensor(name, input)
        x, y = input._data, other._data
        if type(x) is not type(y):  # a CPU and a GPU array (a 0-d CPU one may join)
            x, y = same_device(x, y)
        return _out(_wrap(binary(ufunc, x, y, input, other)), out)

    op.__name__ = name
    op.__doc__ = (
        f"Elementwise {name.split('_')[1].upper()} of the truth values of two tensors (nonzero is "
        "True), broadcasting; a bool tensor."
    )
    return op


logical_and = _logical("logical_and", np.logical_and)
logical_or = _logical("logical_or", np.logical_or)
logical_xor = _logical("logical_xor", np.logical_xor)


def logical_not(input, *, out=None) -> Tensor:
    """True where ``input`` is zero (or False): a bool tensor of the same shape."""
    if not isinstance(input, Tensor):
        raise not_tensor("logical_not", input)
    return _out(_wrap(np.logical_not(input._data)), out)


def _bitwise(name: str, ufunc):
    def op(input, other, *, out=None):
        x, y = pair(name, input, other)
        dt = np.result_type(x, y)
        if dt.kind not in "biu":
            raise not_implemented_for(f"{name}_cpu", dt)
        return _out(_wrap(binary(ufunc, x, y, input, other)), out)

    op.__name__ = name
    op.__doc__ = (
        f"Elementwise bit {name.split('_')[1].upper()} of integer or bool tensors (and Python "
        "ints or bools), broadcasting."
    )
    return op


bitwise_and = _bitwise("bitwise_and", np.bitwise_and)
bitwise_or = _bitwise("bitwise_or", np.bitwise_or)
bitwise_xor = _bitwise("bitwise_xor", np.bitwise_xor)


def bitwise_not(input, *, out=None) -> Tensor:
    """``~x``: flips every bit of an integer tensor (``~5 == -6``), negates a bool tensor."""
    x = data_of(input, "bitwise_not")
    if x.dtype.kind not in "biu":
        raise not_implemented_for("bitwise_not_cpu", x.dtype)
    return _out(_wrap(np.invert(x)), out)


def _invert(self):
    if self._data.dtype.kind not in "biu":
        raise TypeError(
            "~ (operator.invert) is only implemented on integer and Boolean-type tensors"
        )
    return _wrap(np.invert(self._data))


def _bitwise_operator(fn, reflected=False):
    def method(self, other):
        if not isinstance(other, OPERAND):
            return NotImplemented
        return fn(other, self) if reflected else fn(self, other)

    return method

logical_and_ = inplace_of(logical_and, "logical_and_")
logical_or_ = inplace_of(logical_or, "logical_or_")
logical_xor_ = inplace_of(logical_xor, "logical_xor_")
logical_not_ = inplace_of(logical_not, "logical_not_")
bitwise_and_ = inplace_of(bitwise_and, "bitwise_and_")
bitwise_or_ = inplace_of(bitwise_or, "bitwise_or_")
bitwise_xor_ = inplace_of(bitwise_xor, "bitwise_xor_")
bitwise_not_ = inplace_of(bitwise_not, "bitwise_not_")

# ---- Tensor methods and operators ------------------------------------------------------------
for _f in (logical_and, logical_or, logical_xor, logical_not, logical_and_, logical_or_,
           logical_xor_, logical_not_, bitwise_and, bitwise_or, bitwise_xor, bitwise_not,
           bitwise_and_, bitwise_or_, bitwise_xor_, bitwise_not_):
    setattr(Tensor, _f.__name__, _f)
for _name, _f in (("and", bitwise_and), ("or", bitwise_or), ("xor", bitwise_xor)):
    setattr(Tensor, f"__{_name}__", _bitwise_operator(_f))
    setattr(Tensor, f"__r{_name}__", _bitwise_operator(_f, reflected=True))
Tensor.__iand__, Tensor.__ior__, Tensor.__ixor__ = bitwise_and_, bitwise_or_, bitwise_xor_
Tensor.__invert__ = _invert

__all__ = [
    "logical_and", "logical_or", "logical_xor", "logical_not", "bitwise_and", "bitwise_or",
    "bitwise_xor", "bitwise_not",
]
