"""The Bernoulli distribution: 1 with probability ``probs``, else 0."""

from __future__ import annotations

from numbers import Number

from .._size import Size
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all, lazy_property, logits_to_probs, probs_to_logits

__all__ = ["Bernoulli"]


def _bce_with_logits(logits: Tensor, target: Tensor) -> Tensor:
    """Elementwise ``-[t log sigmoid(x) + (1 - t) log(1 - sigmoid(x))]``, computed stably."""
    from ..nn import functional as F

    return F.binary_cross_entropy_with_logits(logits, target, reduction="none")


class Bernoulli(Distribution):
    """Bernoulli distribution given by ``probs`` (in [0, 1]) or ``logits`` (log-odds), not both.

    Samples are 0./1. in the parameter's dtype, shape ``sample_shape + batch_shape``.

    >>> Bernoulli(torch.tensor([0.3, 0.9])).sample()     # e.g. tensor([0., 1.])
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.boolean
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            is_scalar = isinstance(probs, Number)
            (self.probs,) = broadcast_all(probs)
            param = self.probs
        else:
            is_scalar = isinstance(logits, Number)
            (self.logits,) = broadcast_all(logits)
            param = self.logits
        self._param = param
        super().__init__(Size() if is_scalar else param.size(), validate_args=validate_args)

    @lazy_property
    def logits(self) -> Tensor:
        """Log-odds ``log(p / (1 - p))`` (probabilities clamped away from 0 and 1 first)."""
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self) -> Tensor:
        """``sigmoid(logits)``."""
        return logits_to_probs(self.logits, is_binary=True)

    @property
    def param_shape(self) -> Size:
        return self._param.size()

    @property
    def mean(self) -> Tensor:
        return self.probs

    @property
    def mode(self) -> Tensor:
        from ..ops.comparison import where

        mode = (self.probs >= 0.5).to(self.probs.dtype)
        return where(self.probs == 0.5, float("nan"), mode)

    @property
    def variance(self) -> Tensor:
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape=()) -> Tensor:
        from .._sampling import bernoulli

        shape = self._extended_shape(sample_shape)
        with no_grad():
            return bernoulli(self.probs.expand(shape))

    def log_prob(self, value: Tensor) -> Tensor:
        """``value log p + (1 - value) log(1 - p)``, from the logits for stability."""
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        return -_bce_with_logits(logits, value)

    def entropy(self) -> Tensor:
        """``-p log p - (1 - p) log(1 - p)``."""
        return _bce_with_logits(self.logits, self.probs)

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """``[0., 1.]`` shaped ``(2,) + (1,) * len(batch_shape)``, expanded to the batch."""
        from .._creation import arange

        values = arange(2, dtype=self._param.dtype)
        values = values.view((-1,) + (1,) * len(self._batch_shape))
        return values.expand((-1,) + self._batch_shape) if expand else values
