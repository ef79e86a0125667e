"""Margin, embedding and likelihood losses of ``torch.nn.functional``.

Most are compositions of tensor ops (as in torch, whose grad_fn for them is the final reduction's
``MeanBackward0``); ``soft_margin_loss`` has its own fused node, as in torch. Each takes
``reduction='mean'|'sum'|'none'`` and the legacy flags like the other losses.
"""

from __future__ import annotations

import math

import numpy as np

from ... import _array, ops
from ..._tensor import Tensor, _wrap
from ...autograd.graph import attach
from ._elementwise import as_array, softplus_np
from .activation_smooth import logsigmoid
from .distance import pairwise_distance
from .loss import _broadcast_pair, _LossNode, _reduce, _reduction


def _apply(loss: Tensor, reduction: str) -> Tensor:
    """Reduce an elementwise loss tensor with tensor ops (so autograd records the reduction)."""
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                        size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """``max(0, -y (x1 - x2) + margin)``: target y = 1 says x1 should rank higher, -1 lower."""
    reduction = _reduction(reduction, size_average, reduce)
    if not (input1.dim() == input2.dim() == target.dim()):
        raise RuntimeError(
            "margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {input1.shape}, input2: {input2.shape}, target: {target.shape} "
        )
    return _apply((-target * (input1 - input2) + margin).clamp_min(0), reduction)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0, size_average=None,
                         reduce=None, reduction: str = "mean") -> Tensor:
    """x where y = 1, ``max(0, margin - x)`` where y = -1 (x often a distance)."""
    reduction = _reduction(reduction, size_average, reduce)
    beyond = ops.where(target != 1, (margin - input).clamp_min(0), 0.0)
    itself = ops.where(target != -1, input, 0.0)
    return _apply(beyond + itself, reduction)


def soft_margin_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                     reduction: str = "mean") -> Tensor:
    """``log(1 + exp(-y x))`` for labels y = ±1: a smooth hinge (logistic loss)."""
    reduction = _reduction(reduction, size_average, reduce)
    x, t, shape = _broadcast_pair(input, target)
    elem = softplus_np(-t * x)
    out = _wrap(_reduce(as_array(elem, x.dtype), reduction, x.dtype))
    return attach(out, SoftMarginLossBackward0, input, target, reduction=reduction, shape=shape)


class SoftMarginLossBackward0(_LossNode):
    """d/dx = -y σ(-y x); d/dy = -x σ(-y x)."""

    def d_input(self, x, t):
        return -t * (-t * x).sigmoid()

    def d_target(self, x, t, dx, g):
        return -x * (-t * x).sigmoid() * g


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                          size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """``1 - cos(x1, x2)`` where y = 1, ``max(0, cos(x1, x2) - margin)`` where y = -1; the
    cosine is taken along the feature dimension (inputs (N, D) or (D,))."""
    reduction = _reduction(reduction, size_average, reduce)
    if input1.dim() not in (1, 2):
        raise RuntimeError(
            f"1D target tensor expects 1D or 2D input tensors, but found inputs with sizes "
            f"{list(input1.shape)} and {list(input2.shape)}."
        )
    d = input1.dim() - 1
    eps = 1e-12
    dot = (input1 * input2).sum(d)
    norms = ((input1 * input1).sum(d) + eps) * ((input2 * input2).sum(d) + eps)
    cos = dot / norms.sqrt()
    pos = ops.where(target == 1, 1 - cos, 0.0)
    neg = ops.where(target == -1, (cos - margin).clamp_min(0), 0.0)
    return _apply(pos + neg, reduction)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0,
                        p: float = 2, eps: float = 1e-6, swap: bool = False, size_average=None,
                        reduce=None, reduction: str = "mean") -> Tensor:
    """``max(0, d(a, p) - d(a, n) + margin)`` with d the p-norm distance: pulls the anchor
    toward the positive and away from the negative. ``swap`` also uses d(p, n)."""
    reduction = _reduction(reduction, size_average, reduce)
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = ops.minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    return _apply((margin + d_pos - d_neg).clamp_min(0), reduction)


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True, full: bool = False,
                     size_average=None, eps: float = 1e-8, reduce=None,
                     reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of counts ``target`` under Poisson(rate): with ``log_input`` the
    input is log(rate) and the loss ``exp(x) - t x``; otherwise ``x - t log(x + eps)``.
    ``full`` adds Stirling's approximation of log(t!) (for t > 1)."""
    reduction = _reduction(reduction, size_average, reduce)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        safe = ops.where(target > 1, target, 1.0)
        stirling = safe * safe.log() - safe + 0.5 * (2 * math.pi * safe).log()
        loss = loss + ops.where(target > 1, stirling, 0.0)
    return _apply(loss, reduction)


def gaussian_nll_loss(input: Tensor, target: Tensor, var: Tensor | float, full: bool = False,
                      eps: float = 1e-6, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of ``target`` under N(input, var):
    ``0.5 (log(var) + (input - target)² / var)`` (+ ``0.5 log(2π)`` with ``full``).

    ``var`` is a tensor of the input's shape, or with its last dimension 1 or missing
    (one variance per sample), or a number. Variances below ``eps`` are raised to ``eps`` for
    stability (the gradient still flows as if they were not).
    """
    reduction = _reduction(reduction)
    if not isinstance(var, Tensor):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = _wrap(_array.namespace(input._data).full(input._data.shape, var,
                                                       input._data.dtype))
    if tuple(var.shape) != tuple(input.shape):
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif not (tuple(input.shape[:-1]) == tuple(var.shape[:-1]) and var.shape[-1] == 1):
            raise ValueError("var is of incorrect size")
    if (var._data < 0).any():
        raise ValueError("var has negative entry/entries")
    floor = _wrap(np.maximum(var._data, eps).astype(var._data.dtype) - var._data)
    var = var + floor  # a constant shift: the gradient with respect to var is unchanged
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _apply(loss, reduction)


def multilabel_soft_margin_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                size_average=None, reduce=None,
                                reduction: str = "mean") -> Tensor:
    """Binary cross-entropy on logits for each of C labels, averaged over the labels:
    input (N, C) scores, target (N, C) in {0, 1} → one loss per sample (N,) before reduction."""
    reduction = _reduction(reduction, size_average, reduce)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    n_classes = input.shape[-1] if input.dim() else 1
    loss = loss.sum(-1) / n_classes if input.dim() else loss
    return _apply(loss, reduction)


__all__ = [
    "margin_ranking_loss", "hinge_embedding_loss", "soft_margin_loss", "cosine_embedding_loss",
    "triplet_margin_loss", "poisson_nll_loss", "gaussian_nll_loss",
    "multilabel_soft_margin_loss",
]
