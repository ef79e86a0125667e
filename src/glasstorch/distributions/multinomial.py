"""The multinomial distribution: category counts of ``total_count`` independent draws."""

from __future__ import annotations

import math

import numpy as np

from .. import _array
from .._size import Size
from .._tensor import Tensor, _wrap
from ..random import numpy_rng
from . import constraints
from .categorical import Categorical
from .distribution import Distribution
from .utils import broadcast_all

__all__ = ["Multinomial"]

_lgamma = np.vectorize(math.lgamma, otypes=[np.float64])


class Multinomial(Distribution):
    """Counts per category after ``total_count`` draws from ``Categorical(probs or logits)``.

    Events are count vectors of shape ``(k,)`` (``event_shape``), in the parameter's dtype;
    ``sample(sample_shape)`` has shape ``sample_shape + batch_shape + (k,)``.

    >>> fair = torch.ones(6) / 6
    >>> Multinomial(1, fair).sample((500,)).shape    # 500 one-hot die rolls: (500, 6)
    >>> Multinomial(10, fair).sample()               # counts summing to 10, e.g. [3., 1., ...]
    """

    arg_constraints = {"probs": constraints.simplex,
                       "logits": constraints.independent(constraints.real, 1)}

    def __init__(self, total_count: int = 1, probs=None, logits=None, validate_args=None):
        if not isinstance(total_count, int) or isinstance(total_count, bool):
            raise NotImplementedError("inhomogeneous total_count is not supported")
        self.total_count = total_count
        self._categorical = Categorical(probs=probs, logits=logits)
        self._binomial = None
        batch = self._categorical.batch_shape
        event = self._categorical.param_shape[-1:]
        super().__init__(batch, event, validate_args=validate_args)

    @property
    def support(self):
        return constraints.multinomial(self.total_count)

    @property
    def logits(self) -> Tensor:
        return self._categorical.logits

    @property
    def probs(self) -> Tensor:
        return self._categorical.probs

    @property
    def param_shape(self) -> Size:
        return self._categorical.param_shape

    @property
    def mean(self) -> Tensor:
        return self.probs * self.total_count

    @property
    def variance(self) -> Tensor:
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape=()) -> Tensor:
        """Count vectors: each row sums to ``total_count``."""
        shape = self._extended_shape(sample_shape)
        p = _array.to_host(self.probs._data).astype(np.float64)  # drawn on the host (by design)
        p = p / p.sum(axis=-1, keepdims=True)  # NumPy insists on sums within rounding of 1
        counts = numpy_rng(None).multinomial(self.total_count, p, size=tuple(shape[:-1]))
        counts = counts.astype(self.probs._data.dtype).reshape(tuple(shape))
        return _wrap(_array.like(self.probs._data, counts))

    def log_prob(self, value: Tensor) -> Tensor:
        """``log(n! / prod(x_i!)) + sum(x_i log p_i)`` with ``n = sum(x_i)``."""
        if self._validate_args:
            self._validate_sample(value)
        from ..ops.comparison import where

        logits, value = broadcast_all(self.logits, value)
        counts = value._data.astype(np.float64)
        log_coeff = _lgamma(counts.sum(-1) + 1) - _lgamma(counts + 1).sum(-1)
        # 0 * log(0) counts as 0: a category never seen with probability 0 adds nothing
        impossible = (value == 0) & (logits == float("-inf"))
        logits = where(impossible, 0.0, logits)
        coeff = _wrap(np.asarray(log_coeff, dtype=logits._data.dtype))
        return coeff + (logits * value).sum(-1)

    def entropy(self) -> Tensor:
        """``-E[log P(X)]``, summing over each category's Binomial(n, p_i) count distribution."""
        n = self.total_count
        k = np.arange(n + 1, dtype=np.float64)
        log_choose = _lgamma(n + 1.0) - _lgamma(k + 1) - _lgamma(n - k + 1)
        dt = self.probs._data.dtype
        p = self.probs.unsqueeze(-1)  # (*batch, k, 1) against support (n + 1,)
        ks = _wrap(k.astype(dt))
        from .utils import clamp_probs

        pc = clamp_probs(p)
        log_pmf = _wrap(log_choose.astype(dt)) + ks * pc.log() + (n - ks) * (-pc).log1p()
        pmf = log_pmf.exp()
        expected_log_fact = (pmf * _wrap(_lgamma(k + 1).astype(dt))).sum(-1).sum(-1)
        logits = self.logits.clamp(min=float(np.finfo(dt).min))
        return n * -(self.probs * logits).sum(-1) - math.lgamma(n + 1) + expected_log_fact
