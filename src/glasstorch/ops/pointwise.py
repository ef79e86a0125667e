"""Pointwise math: exp, log, sqrt, trigonometry, rounding, relu, sigmoid, clamp and friends.

Every op here maps each element on its own, so a ``(*)``-shaped input gives a ``(*)``-shaped output
(binary ones broadcast: ``(3, 1)`` with ``(4,)`` gives ``(3, 4)``). The dtype rules are torch's:
transcendental ops (``exp``, ``log``, ``sin``, ``sigmoid``, ...) turn integer and bool tensors into
the default float dtype; ``abs``, ``sign``, ``relu``, ``floor`` and friends keep integer dtypes.

The ops live in their sub-families, each op next to its backward ``Node``:
``transcendental.py`` (exp, log, sqrt, trigonometry, sigmoid, erf), ``sign_and_rounding.py`` (abs,
sign, relu, floor, round, square, nan_to_num), ``pointwise_binary.py`` (atan2, xlogy, lerp,
maximum, minimum, fmax, fmin), built with the helpers of ``_unary.py``. This module gathers them:
the in-place forms (``x.exp_()``), the aliases (``absolute``, ``arcsin``, ...), the ``Tensor``
methods and the exports. The comparisons, logical ops, ``where`` and ``clamp`` live in
``comparison.py``, ``logical.py`` and ``clamping.py`` and are re-exported from here.
"""

from __future__ import annotations

from .._tensor import Tensor
from . import comparison
from .comparison import *  # noqa: F401,F403  (re-exported: glasstorch.where, glasstorch.eq, ...)
from .comparison import inplace_of
from .pointwise_binary import *  # noqa: F401,F403  (the Backward nodes, as before the split)
from .pointwise_binary import atan2, fmax, fmin, lerp, maximum, minimum, xlogy
from .sign_and_rounding import *  # noqa: F401,F403
from .sign_and_rounding import (
    abs,
    ceil,
    floor,
    frac,
    nan_to_num,
    relu,
    round,
    sign,
    square,
    trunc,
)
from .transcendental import *  # noqa: F401,F403
from .transcendental import (
    acos,
    asin,
    atan,
    cos,
    cosh,
    erf,
    exp,
    exp2,
    expm1,
    log,
    log1p,
    log2,
    log10,
    reciprocal,
    rsqrt,
    sigmoid,
    sin,
    sinh,
    sqrt,
    tan,
    tanh,
)


# ---- in place --------------------------------------------------------------------------------
def _inplace_forms(*fns):
    return tuple(inplace_of(f, f.__name__ + "_", getattr(f, "into", None)) for f in fns)


abs_, exp_, exp2_, expm1_, log_, log2_, log10_, log1p_ = _inplace_forms(
    abs, exp, exp2, expm1, log, log2, log10, log1p
)
sqrt_, rsqrt_, square_, reciprocal_, sign_, frac_, erf_ = _inplace_forms(
    sqrt, rsqrt, square, reciprocal, sign, frac, erf
)
sin_, cos_, tan_, asin_, acos_, atan_, sinh_, cosh_, tanh_ = _inplace_forms(
    sin, cos, tan, asin, acos, atan, sinh, cosh, tanh
)
sigmoid_, relu_, nan_to_num_, floor_, ceil_, round_, trunc_ = _inplace_forms(
    sigmoid, relu, nan_to_num, floor, ceil, round, trunc
)
atan2_, xlogy_, lerp_ = _inplace_forms(atan2, xlogy, lerp)

# ---- aliases, Tensor methods, exports --------------------------------------------------------
absolute, arcsin, arccos, arctan, arctan2, fix, sgn = abs, asin, acos, atan, atan2, trunc, sign
absolute_, arcsin_, arccos_, arctan_, arctan2_, fix_, sgn_ = (
    abs_, asin_, acos_, atan_, atan2_, trunc_, sign_
)

_FUNCTIONS = {f.__name__: f for f in (
    abs, exp, exp2, expm1, log, log2, log10, log1p, sqrt, rsqrt, square, reciprocal, sign, frac,
    erf, sin, cos, tan, asin, acos, atan, sinh, cosh, tanh, sigmoid, relu, nan_to_num, floor, ceil,
    round, trunc, atan2, xlogy, lerp, maximum, minimum, fmax, fmin,
)}
_FUNCTIONS.update(absolute=absolute, arcsin=arcsin, arccos=arccos, arctan=arctan,
                  arctan2=arctan2, fix=fix, sgn=sgn)
_INPLACE = {f.__name__: f for f in (
    abs_, exp_, exp2_, expm1_, log_, log2_, log10_, log1p_, sqrt_, rsqrt_, square_, reciprocal_,
    frac_, erf_, sin_, cos_, tan_, asin_, acos_, atan_, sinh_, cosh_, tanh_, sigmoid_, relu_,
    nan_to_num_, floor_, ceil_, round_, trunc_, xlogy_,
)}
_INPLACE.update(arcsin_=arcsin_, arccos_=arccos_, arctan_=arctan_, fix_=fix_)
_METHOD_ONLY = dict(  # torch has these as Tensor methods, not torch.* functions
    absolute_=absolute_, sign_=sign_, atan2_=atan2_, lerp_=lerp_, arctan2_=arctan2_, sgn_=sgn_
)
for _table in (_FUNCTIONS, _INPLACE, _METHOD_ONLY):
    for _name, _fn in _table.items():
        setattr(Tensor, _name, _fn)
Tensor.__abs__ = abs

__all__ = comparison.__all__ + list(_FUNCTIONS) + list(_INPLACE)
