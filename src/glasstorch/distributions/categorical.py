"""The categorical distribution over ``0 … k-1``."""

from __future__ import annotations

import numpy as np

from .. import _array
from .._size import Size
from .._tensor import Tensor, _wrap
from . import constraints
from .distribution import Distribution
from .utils import lazy_property, logits_to_probs, probs_to_logits

__all__ = ["Categorical"]


class Categorical(Distribution):
    """One of ``k`` categories, with weights ``probs`` (nonnegative, normalised to sum to 1 along
    the last dim) or unnormalised ``logits`` — not both.

    ``probs`` of shape ``(*batch, k)`` gives ``batch_shape == batch`` and scalar events: samples
    are int64 indices of shape ``sample_shape + batch``.

    >>> d = Categorical(torch.tensor([1., 3.]))
    >>> d.probs                    # tensor([0.2500, 0.7500])
    >>> d.sample((4,))             # e.g. tensor([1, 1, 0, 1])
    """

    arg_constraints = {"probs": constraints.simplex,
                       "logits": constraints.independent(constraints.real, 1)}
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            if probs.dim() < 1:
                raise ValueError("`probs` parameter must be at least one-dimensional.")
            self.probs = probs / probs.sum(-1, keepdim=True)
            param = self.probs
        else:
            if logits.dim() < 1:
                raise ValueError("`logits` parameter must be at least one-dimensional.")
            self.logits = logits - logits.logsumexp(dim=-1, keepdim=True)
            param = self.logits
        self._param = param
        self._num_events = param.size()[-1]
        batch = param.size()[:-1] if param.dim() > 1 else Size()
        super().__init__(batch, validate_args=validate_args)

    @lazy_property
    def logits(self) -> Tensor:
        """Normalised log-probabilities (``log probs``, clamped away from log 0)."""
        return probs_to_logits(self.probs)

    @lazy_property
    def probs(self) -> Tensor:
        """``softmax(logits, -1)``."""
        return logits_to_probs(self.logits)

    @property
    def support(self):
        return constraints.integer_interval(0, self._num_events - 1)

    @property
    def param_shape(self) -> Size:
        return self._param.size()

    @property
    def mean(self) -> Tensor:
        return _nan(self._extended_shape(), self.probs)

    @property
    def mode(self) -> Tensor:
        return self.probs.argmax(dim=-1)

    @property
    def variance(self) -> Tensor:
        return _nan(self._extended_shape(), self.probs)

    def sample(self, sample_shape=()) -> Tensor:
        from .._sampling import multinomial

        sample_shape = Size(sample_shape)
        shape = self._extended_shape(sample_shape)
        n = sample_shape.numel()
        if n == 0 or shape.numel() == 0:
            return _wrap(_array.namespace(self.probs._data).zeros(tuple(shape), np.int64))
        probs_2d = self.probs.detach().reshape(-1, self._num_events)
        draws = multinomial(probs_2d, n, True)._data  # (rows, n): n draws per batch row
        xp = _array.namespace(draws)
        return _wrap(xp.ascontiguousarray(draws.T).reshape(tuple(shape)))

    def log_prob(self, value: Tensor) -> Tensor:
        """``log probs[value]`` for each index in ``value`` (broadcast against the batch)."""
        if self._validate_args:
            self._validate_sample(value)
        value = value.long().unsqueeze(-1)
        value, log_pmf = _broadcast_pair(value, self.logits)
        value = value[..., :1]
        return log_pmf.gather(-1, value).squeeze(-1)

    def entropy(self) -> Tensor:
        """``-sum(p log p)`` over the categories (terms with p = 0 count as 0)."""
        min_real = float(np.finfo(self.logits._data.dtype).min)
        logits = self.logits.clamp(min=min_real)
        return -(logits * self.probs).sum(-1)

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """``0 … k-1`` shaped ``(k,) + (1,) * len(batch_shape)``, expanded to the batch."""
        from .._creation import arange

        values = arange(self._num_events).view((-1,) + (1,) * len(self._batch_shape))
        return values.expand((-1,) + self._batch_shape) if expand else values


def _broadcast_pair(a: Tensor, b: Tensor):
    shape = np.broadcast_shapes(a._data.shape, b._data.shape)
    return a.expand(shape), b.expand(shape)


def _nan(shape, like: Tensor) -> Tensor:
    return _wrap(_array.namespace(like._data).full(tuple(shape), np.nan, like._data.dtype))
