"""``kl_divergence(p, q)``: the Kullback–Leibler divergence ``E_p[log p(x) - log q(x)]``.

Closed forms are registered per pair of distribution types with ``@register_kl(P, Q)``; the most
specific registered pair (by the types' method resolution order) is used. One value per batch
element, shape ``batch_shape``.
"""

from __future__ import annotations

import math

from .bernoulli import Bernoulli
from .categorical import Categorical
from .exponential import Exponential
from .normal import Normal
from .uniform import Uniform

__all__ = ["kl_divergence", "register_kl"]

_KL: dict = {}
_EXP_FAMILIES = (Normal, Bernoulli, Categorical, Exponential)


def register_kl(type_p, type_q):
    """Decorator: ``fn(p, q)`` computes KL(p || q) for ``p`` a ``type_p`` and ``q`` a ``type_q``."""

    def decorator(fn):
        _KL[type_p, type_q] = fn
        return fn

    return decorator


def kl_divergence(p, q):
    """KL(p || q) from the registered closed form for the pair of types (see module doc)."""
    for tp in type(p).__mro__:
        for tq in type(q).__mro__:
            fn = _KL.get((tp, tq))
            if fn is not None:
                return fn(p, q)
    if isinstance(p, _EXP_FAMILIES) and isinstance(q, _EXP_FAMILIES):
        raise NotImplementedError(
            "The cross KL-divergence between different exponential families cannot be computed "
            "using Bregman divergences"
        )
    raise NotImplementedError(
        f"No KL(p || q) is implemented for p = {type(p).__name__} and q = {type(q).__name__}"
    )


def _where(cond, value, t):
    from ..ops.comparison import where

    return where(cond, value, t)


@register_kl(Normal, Normal)
def _kl_normal_normal(p, q):
    var_ratio = (p.scale / q.scale).pow(2)
    t1 = ((p.loc - q.loc) / q.scale).pow(2)
    return 0.5 * (var_ratio + t1 - 1 - var_ratio.log())


@register_kl(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(p, q):
    from ..nn import functional as F

    t1 = p.probs * (F.softplus(-q.logits) - F.softplus(-p.logits))
    t1 = _where(p.probs == 0, 0.0, _where(q.probs == 0, math.inf, t1))
    t2 = (1 - p.probs) * (F.softplus(q.logits) - F.softplus(p.logits))
    t2 = _where(p.probs == 1, 0.0, _where(q.probs == 1, math.inf, t2))
    return t1 + t2


@register_kl(Categorical, Categorical)
def _kl_categorical_categorical(p, q):
    t = p.probs * (p.logits - q.logits)
    t = _where(p.probs == 0, 0.0, _where(q.probs == 0, math.inf, t))
    return t.sum(-1)


@register_kl(Uniform, Uniform)
def _kl_uniform_uniform(p, q):
    result = ((q.high - q.low) / (p.high - p.low)).log()
    return _where((q.low > p.low) | (q.high < p.high), math.inf, result)


@register_kl(Exponential, Exponential)
def _kl_exponential_exponential(p, q):
    rate_ratio = q.rate / p.rate
    return -rate_ratio.log() + rate_ratio - 1


@register_kl(Uniform, Normal)
def _kl_uniform_normal(p, q):
    common = (q.scale / (p.high - p.low)).log()
    t1 = 0.5 * math.log(2 * math.pi) + common
    t2 = ((p.high - q.loc).pow(3) - (p.low - q.loc).pow(3)) / (6 * (p.high - p.low))
    return t1 + t2 / q.scale.pow(2)
