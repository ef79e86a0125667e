"""Gradient clipping: keep one bad batch from blowing the weights up.

``clip_grad_norm_`` rescales all gradients together so that their combined norm is at most
``max_norm`` (the direction of the update is kept); ``clip_grad_value_`` clamps every gradient
element into ``[-clip_value, clip_value]``. Call either between ``loss.backward()`` and
``optimizer.step()``.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable

from ... import linalg
from ..._creation import tensor as _tensor
from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from ...ops.join import stack


def _as_list(tensors) -> list:
    return [tensors] if isinstance(tensors, Tensor) else list(tensors)


def get_total_norm(tensors: Tensor | Iterable[Tensor], norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach=None) -> Tensor:
    """The ``norm_type``-norm of all ``tensors`` together, as if concatenated into one vector
    (``inf`` gives the largest absolute value)."""
    tensors = _as_list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return _tensor(0.0)
    with no_grad():
        norms = [linalg.vector_norm(t, norm_type) for t in tensors]
        first = norms[0].device  # torch adds up the norms on the first tensor's device
        norms = [n if n.device == first else n.to(first) for n in norms]
        total = linalg.vector_norm(stack(norms), norm_type)
    if error_if_nonfinite and not total.isfinite().item():
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, "
            "so it cannot be clipped. To disable this error and scale the gradients by the "
            "non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    return total


def clip_grads_with_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float,
                          total_norm: Tensor, foreach=None) -> None:
    """Scale the gradients of ``parameters`` by ``max_norm / total_norm`` when that is below 1."""
    grads = [p._grad for p in _as_list(parameters) if p._grad is not None]
    if not grads:
        return
    with no_grad():
        coef = (float(max_norm) / (total_norm + 1e-6)).clamp(max=1.0)
        for g in grads:
            c = coef if coef.device == g.device else coef.to(g.device)
            g.mul_(c.to(g.dtype) if c.dtype is not g.dtype else c)


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float,
                    norm_type: float = 2.0, error_if_nonfinite: bool = False,
                    foreach=None) -> Tensor:
    """Rescale the gradients of ``parameters`` in place so that their total norm is at most
    ``max_norm``; returns the total norm *before* clipping.

    Args:
        parameters: a tensor or an iterable of tensors (``model.parameters()``) whose ``.grad``
            is clipped; tensors without a gradient are skipped.
        max_norm (float): the largest allowed total norm.
        norm_type (float): the p of the p-norm (default 2; ``float('inf')`` for the max norm).
        error_if_nonfinite (bool): raise if the total norm is nan or inf (default: scale anyway).

    Example::

        >>> loss.backward()
        >>> nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        >>> optimizer.step()
    """
    parameters = _as_list(parameters)
    grads = [p._grad for p in parameters if p._grad is not None]
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite)
    clip_grads_with_norm_(parameters, max_norm, total_norm)
    return total_norm


def clip_grad_norm(parameters, max_norm: float, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach=None) -> Tensor:
    """Deprecated alias of :func:`clip_grad_norm_`."""
    warnings.warn(
        "`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
        "`torch.nn.utils.clip_grad_norm_`.",
        FutureWarning,
        stacklevel=2,
    )
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float,
                     foreach=None) -> None:
    """Clamp every gradient element of ``parameters`` into ``[-clip_value, clip_value]``."""
    clip_value = float(clip_value)
    with no_grad():
        for p in _as_list(parameters):
            if p._grad is not None:
                p._grad.clamp_(min=-clip_value, max=clip_value)


__all__ = [
    "clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm",
    "clip_grads_with_norm_",
]
