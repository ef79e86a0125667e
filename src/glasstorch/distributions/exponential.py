"""The exponential distribution with rate ``rate`` (mean ``1 / rate``)."""

from __future__ import annotations

from numbers import Number

from .. import _array
from .._size import Size
from .._tensor import Tensor, _wrap
from ..random import numpy_rng
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all

__all__ = ["Exponential"]


class Exponential(Distribution):
    """Waiting times of a Poisson process: density ``rate * exp(-rate * x)`` for ``x >= 0``.

    >>> Exponential(torch.tensor([1.0, 2.0])).sample((3,)).shape    # (3, 2)
    """

    arg_constraints = {"rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, rate, validate_args=None):
        (self.rate,) = broadcast_all(rate)
        batch = Size() if isinstance(rate, Number) else self.rate.size()
        super().__init__(batch, validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        return self.rate.reciprocal()

    @property
    def mode(self) -> Tensor:
        return self.rate * 0

    @property
    def stddev(self) -> Tensor:
        return self.rate.reciprocal()

    @property
    def variance(self) -> Tensor:
        return self.rate.pow(-2)

    def rsample(self, sample_shape=()) -> Tensor:
        """``E / rate`` with ``E`` standard exponential: differentiable in ``rate``."""
        shape = tuple(self._extended_shape(sample_shape))
        draws = numpy_rng(None).standard_exponential(shape).astype(self.rate._data.dtype)
        return _wrap(_array.like(self.rate._data, draws)) / self.rate  # drawn on the host

    def log_prob(self, value: Tensor) -> Tensor:
        """``log(rate) - rate * value``."""
        if self._validate_args:
            self._validate_sample(value)
        return self.rate.log() - self.rate * value

    def cdf(self, value: Tensor) -> Tensor:
        """``1 - exp(-rate * value)``."""
        if self._validate_args:
            self._validate_sample(value)
        return 1 - (-self.rate * value).exp()

    def icdf(self, value: Tensor) -> Tensor:
        """``-log(1 - value) / rate``."""
        return -(-value).log1p() / self.rate

    def entropy(self) -> Tensor:
        """``1 - log(rate)``."""
        return 1.0 - self.rate.log()


