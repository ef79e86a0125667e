"""Pointwise math: exp, log, sqrt, trigonometry, rounding, relu, sigmoid, clamp, comparisons and
friends. This module only gathers the families (``glasstorch.exp``, ``glasstorch.where``, ...).

Every op maps each element on its own, so a ``(*)``-shaped input gives a ``(*)``-shaped output
(binary ones broadcast: ``(3, 1)`` with ``(4,)`` gives ``(3, 4)``). The dtype rules are torch's:
transcendental ops (``exp``, ``log``, ``sin``, ``sigmoid``, ...) turn integer and bool tensors into
the default float dtype; ``abs``, ``sign``, ``relu``, ``floor`` and friends keep integer dtypes.

Each family is one file, each op next to its backward ``Node``, its in-place form (``x.exp_()``),
its aliases and its ``Tensor`` methods:

- ``transcendental.py``: exp, log, sqrt, reciprocal, trigonometry, sigmoid, erf;
- ``sign_and_rounding.py``: abs, sign, relu, floor, ceil, round, trunc, frac, square, nan_to_num;
- ``pointwise_binary.py``: atan2, xlogy, lerp, maximum, minimum, fmax, fmin;
- ``comparison.py``: eq, lt, ..., isnan, isclose, equal, where;
- ``logical.py``: logical_and/or/xor/not and bitwise_and/or/xor/not;
- ``clamping.py``: clamp (clip), clamp_min, clamp_max.

``_unary.py`` builds the one-input ops; ``_checks.py`` holds the operand checks they all share.
"""

from __future__ import annotations

from . import clamping, comparison, logical, pointwise_binary, sign_and_rounding, transcendental
from .clamping import *  # noqa: F401,F403
from .comparison import *  # noqa: F401,F403
from .logical import *  # noqa: F401,F403
from .pointwise_binary import *  # noqa: F401,F403
from .sign_and_rounding import *  # noqa: F401,F403
from .transcendental import *  # noqa: F401,F403

__all__ = (
    comparison.__all__ + logical.__all__ + clamping.__all__ + transcendental.__all__
    + sign_and_rounding.__all__ + pointwise_binary.__all__
)
