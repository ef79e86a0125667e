"""The continuous uniform distribution on ``[low, high)``."""

from __future__ import annotations

from numbers import Number

from .._size import Size
from .._tensor import Tensor
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all

__all__ = ["Uniform"]


class Uniform(Distribution):
    """Uniform distribution on ``[low, high)`` (``low < high``, broadcast to the batch shape).

    >>> Uniform(0.0, 2.0).log_prob(torch.tensor(1.0))   # log(1/2) = -0.6931
    """

    has_rsample = True

    @property
    def arg_constraints(self) -> dict:
        return {"low": constraints.less_than(self.high),
                "high": constraints.greater_than(self.low)}

    @property
    def support(self):
        return constraints.interval(self.low, self.high)

    def __init__(self, low, high, validate_args=None):
        self.low, self.high = broadcast_all(low, high)
        batch = Size() if isinstance(low, Number) and isinstance(high, Number) else self.low.size()
        super().__init__(batch, validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        return (self.high + self.low) * 0.5

    @property
    def mode(self) -> Tensor:
        return self.high * float("nan")

    @property
    def stddev(self) -> Tensor:
        return (self.high - self.low) * (1 / 12) ** 0.5

    @property
    def variance(self) -> Tensor:
        return (self.high - self.low).pow(2) * (1 / 12)

    def rsample(self, sample_shape=()) -> Tensor:
        from .._sampling import rand

        u = rand(self._extended_shape(sample_shape), dtype=self.low.dtype,
                 device=self.low.device)
        return self.low + u * (self.high - self.low)

    def log_prob(self, value: Tensor) -> Tensor:
        """``-log(high - low)`` inside the interval, ``-inf`` outside."""
        if self._validate_args:
            self._validate_sample(value)
        inside = (self.low <= value).type_as(self.low) * (self.high > value).type_as(self.low)
        return inside.log() - (self.high - self.low).log()

    def cdf(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return ((value - self.low) / (self.high - self.low)).clamp(min=0, max=1)

    def entropy(self) -> Tensor:
        return (self.high - self.low).log()
