"""Probability distributions (``torch.distributions``): sample, score and differentiate.

Each distribution is built from parameters (numbers or tensors, broadcast together) and offers
``sample(shape)``, ``log_prob(value)``, ``entropy()``, ``mean``, ``variance``, ``stddev``;
``Normal`` and ``Uniform`` also ``rsample`` (reparameterised, differentiable samples).

>>> from glasstorch.distributions import multinomial
>>> multinomial.Multinomial(1, torch.ones(6) / 6).sample((500,))     # 500 fair-die rolls

Modules: ``distribution`` (the base class), ``constraints``, ``normal``, ``bernoulli``,
``categorical``, ``multinomial``, ``uniform``, ``exponential``, ``kl`` (``kl_divergence``),
``utils``.
"""

from . import constraints
from .bernoulli import Bernoulli
from .categorical import Categorical
from .distribution import Distribution
from .exponential import Exponential
from .kl import kl_divergence, register_kl
from .multinomial import Multinomial
from .normal import Normal
from .uniform import Uniform

__all__ = [
    "Bernoulli", "Categorical", "Distribution", "Exponential", "Multinomial", "Normal", "Uniform",
    "constraints", "kl_divergence", "register_kl",
]
