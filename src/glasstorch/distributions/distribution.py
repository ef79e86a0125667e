"""``Distribution``: the interface every probability distribution follows.

A distribution has a ``batch_shape`` (independent distributions side by side, e.g. one Normal per
element of a ``loc`` of shape ``(3,)``) and an ``event_shape`` (the shape of one draw: ``()`` for
a Normal, ``(k,)`` for a Multinomial over ``k`` categories). ``sample(sample_shape)`` returns a
tensor of shape ``sample_shape + batch_shape + event_shape``; ``log_prob(value)`` returns one
log-density per event, shape ``sample_shape + batch_shape``.

Parameters and ``log_prob`` values are validated (``ValueError`` naming the parameter, its shape,
the constraint and the offending values) unless ``validate_args=False`` or
``Distribution.set_default_validate_args(False)``.
"""

from __future__ import annotations

import warnings

from .._size import Size
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from . import constraints

__all__ = ["Distribution"]


class Distribution:
    """Base class: subclasses set ``arg_constraints``, ``support`` and implement ``sample`` /
    ``rsample``, ``log_prob``, ``entropy``, ``mean``, ``variance``."""

    has_rsample = False
    has_enumerate_support = False
    _validate_args = __debug__

    @staticmethod
    def set_default_validate_args(value: bool) -> None:
        """Turn argument validation on or off for every distribution made afterwards."""
        if value not in (True, False):
            raise ValueError("set_default_validate_args(value) expects True or False")
        Distribution._validate_args = value

    def __init__(self, batch_shape=(), event_shape=(), validate_args=None):
        self._batch_shape = Size(batch_shape)
        self._event_shape = Size(event_shape)
        if validate_args is not None:
            self._validate_args = validate_args
        if self._validate_args:
            try:
                arg_constraints = self.arg_constraints
            except NotImplementedError:
                arg_constraints = {}
                warnings.warn(
                    f"{self.__class__} does not define `arg_constraints`. Please set "
                    "`arg_constraints = {}` or initialize the distribution with "
                    "`validate_args=False` to turn off validation.",
                    stacklevel=2,
                )
            for param, constraint in arg_constraints.items():
                if constraints.is_dependent(constraint):
                    continue
                if param not in self.__dict__ and isinstance(
                    getattr(type(self), param, None), _lazy_types()
                ):
                    continue  # a lazily computed parameter not yet computed
                value = getattr(self, param)
                valid = constraint.check(value)
                if not valid.all():
                    raise ValueError(
                        f"Expected parameter {param} ({type(value).__name__} of shape "
                        f"{tuple(value.shape)}) of distribution {self!r} to satisfy the "
                        f"constraint {constraint!r}, but found invalid values:\n{value}"
                    )

    # ---- shapes -------------------------------------------------------------------------
    @property
    def batch_shape(self) -> Size:
        return self._batch_shape

    @property
    def event_shape(self) -> Size:
        return self._event_shape

    def _extended_shape(self, sample_shape=()) -> Size:
        """``sample_shape + batch_shape + event_shape``: the shape ``sample`` returns."""
        if not isinstance(sample_shape, Size):
            sample_shape = Size(sample_shape)
        return Size(sample_shape + self._batch_shape + self._event_shape)

    # ---- what subclasses provide --------------------------------------------------------
    @property
    def arg_constraints(self) -> dict:
        raise NotImplementedError

    @property
    def support(self):
        raise NotImplementedError

    @property
    def mean(self) -> Tensor:
        raise NotImplementedError(f"{self.__class__} does not implement mean")

    @property
    def mode(self) -> Tensor:
        raise NotImplementedError(f"{self.__class__} does not implement mode")

    @property
    def variance(self) -> Tensor:
        raise NotImplementedError(f"{self.__class__} does not implement variance")

    @property
    def stddev(self) -> Tensor:
        return self.variance.sqrt()

    def sample(self, sample_shape=()) -> Tensor:
        """Draw samples (outside the graph), shape ``sample_shape + batch + event``."""
        with no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape=()) -> Tensor:
        """Draw reparameterised samples: differentiable with respect to the parameters."""
        raise NotImplementedError

    def sample_n(self, n: int) -> Tensor:
        warnings.warn("sample_n will be deprecated. Use .sample((n,)) instead", UserWarning,
                      stacklevel=2)
        return self.sample(Size((n,)))

    def log_prob(self, value: Tensor) -> Tensor:
        raise NotImplementedError

    def cdf(self, value: Tensor) -> Tensor:
        raise NotImplementedError

    def icdf(self, value: Tensor) -> Tensor:
        raise NotImplementedError

    def entropy(self) -> Tensor:
        raise NotImplementedError

    def enumerate_support(self, expand: bool = True) -> Tensor:
        raise NotImplementedError

    def perplexity(self) -> Tensor:
        """``exp(entropy)``."""
        return self.entropy().exp()

    def expand(self, batch_shape, _instance=None):
        """The same distribution repeated to a larger ``batch_shape`` (parameters are expanded
        views, no copies): ``Normal(torch.zeros(2), 1.).expand((3, 2))``."""
        batch_shape = Size(batch_shape)
        new = type(self).__new__(type(self))
        names = set(self.arg_constraints) if isinstance(type(self).__dict__.get(
            "arg_constraints"), dict) else set()
        old_nd = len(self._batch_shape)
        for key, value in self.__dict__.items():
            if isinstance(value, Tensor) and (key in names or key == "_param"):
                value = value.expand(batch_shape + value.size()[old_nd:])
            elif isinstance(value, Distribution):
                value = value.expand(batch_shape)
            new.__dict__[key] = value
        if "_param" in self.__dict__:
            new._param = next(new.__dict__[k] for k in ("probs", "logits", "_param")
                              if k in new.__dict__)
        new._batch_shape = batch_shape
        return new

    # ---- validation -----------------------------------------------------------------------
    def _validate_sample(self, value) -> None:
        """Check ``value`` for ``log_prob``: a tensor, broadcastable, inside the support."""
        if not isinstance(value, Tensor):
            raise ValueError("The value argument to log_prob must be a Tensor")
        event_dim = len(self._event_shape)
        shape = tuple(value.shape)
        if shape[len(shape) - event_dim:] != tuple(self._event_shape):
            raise ValueError(
                f"The right-most size of value must match event_shape: {value.size()} vs "
                f"{self._event_shape}."
            )
        actual = value.size()
        expected = self._batch_shape + self._event_shape
        for i, j in zip(reversed(actual), reversed(expected)):
            if i != 1 and j != 1 and i != j:
                raise ValueError(
                    f"Value is not broadcastable with batch_shape+event_shape: {actual} vs "
                    f"{expected}."
                )
        support = self.support
        if not support.check(value).all():
            raise ValueError(
                f"Expected value argument ({type(value).__name__} of shape {tuple(value.shape)}) "
                f"to be within the support ({support!r}) of the distribution {self!r}, but found "
                f"invalid values:\n{value}"
            )

    def __repr__(self) -> str:
        try:
            names = [k for k in self.arg_constraints if k in self.__dict__]
        except NotImplementedError:
            names = []
        parts = []
        for p in names:
            v = self.__dict__[p]
            parts.append(f"{p}: {v if v.numel() == 1 else v.size()}")
        return f"{type(self).__name__}({', '.join(parts)})"


def _lazy_types():
    from .utils import lazy_property

    return (lazy_property,)
