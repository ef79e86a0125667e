"""Helpers shared by the distributions: broadcasting parameters, probabilities ↔ logits, and
``lazy_property`` (computed on first access, then stored on the instance)."""

from __future__ import annotations

from numbers import Number

import numpy as np

from .. import _array, _dtype
from .._tensor import Tensor, _wrap

__all__ = ["broadcast_all", "clamp_probs", "lazy_property", "logits_to_probs", "probs_to_logits"]


def broadcast_all(*values):
    """Parameters (tensors or numbers) as tensors of one broadcast shape.

    Numbers become tensors of the tensors' dtype (the default float when all are numbers);
    tensors are expanded (a differentiable view) to the common shape.
    """
    tensors = [v for v in values if isinstance(v, Tensor)]
    for v in values:
        if not isinstance(v, (Tensor, Number)):
            raise ValueError(
                "Input arguments must all be instances of numbers.Number or torch.Tensor, got "
                f"{type(v).__name__}"
            )
    npd = tensors[0]._data.dtype if tensors else _dtype.get_default_dtype().np
    ref = tensors[0]._data if tensors else None  # numbers join the tensors' device
    out = [v if isinstance(v, Tensor) else _wrap(_array.like(ref, np.asarray(v, dtype=npd)))
           for v in values]
    shape = np.broadcast_shapes(*(t._data.shape for t in out))
    return tuple(t if t._data.shape == shape else t.expand(shape) for t in out)


def clamp_probs(probs: Tensor) -> Tensor:
    """Probabilities kept inside ``[eps, 1 - eps]`` so that their logarithms stay finite."""
    eps = float(np.finfo(probs._data.dtype).eps)
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs: Tensor, is_binary: bool = False) -> Tensor:
    """``log p`` (categorical) or ``log p - log(1 - p)`` (binary), after ``clamp_probs``."""
    p = clamp_probs(probs)
    return p.log() - (-p).log1p() if is_binary else p.log()


def logits_to_probs(logits: Tensor, is_binary: bool = False) -> Tensor:
    """``sigmoid(logits)`` (binary) or ``softmax(logits, -1)`` (categorical)."""
    if is_binary:
        return logits.sigmoid()
    from ..nn import functional as F

    return F.softmax(logits, dim=-1)


class lazy_property:  # noqa: N801 (torch's name)
    """A property computed on first use and then cached in the instance's ``__dict__``
    (so a ``Categorical`` made from ``probs`` computes ``logits`` only when asked)."""

    def __init__(self, wrapped):
        self.wrapped = wrapped
        self.__doc__ = wrapped.__doc__
        self.__name__ = wrapped.__name__

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        from ..autograd.grad_mode import enable_grad

        with enable_grad():
            value = self.wrapped(instance)
        instance.__dict__[self.wrapped.__name__] = value
        return value
