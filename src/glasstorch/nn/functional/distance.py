"""Distances and normalisation of vectors: ``normalize``, ``cosine_similarity``,
``pairwise_distance``."""

from __future__ import annotations

from ..._tensor import Tensor


# ---- distances ---------------------------------------------------------------------------------
def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12,
              out: Tensor | None = None) -> Tensor:
    """Divide by the ``p``-norm along ``dim`` (at least ``eps``): unit-length vectors."""
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps)
    res = input / denom
    if out is not None:
        out.copy_(res)
        return out
    return res


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """``x1·x2 / (‖x1‖ ‖x2‖)`` along ``dim`` (each norm at least ``eps``); broadcasts."""
    n1 = x1.norm(2, dim, keepdim=True).clamp_min(eps)
    n2 = x2.norm(2, dim, keepdim=True).clamp_min(eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """``‖x1 - x2 + eps‖_p`` along the last dimension."""
    return (x1 - x2 + eps).norm(p, -1, keepdim=keepdim)


__all__ = ["normalize", "cosine_similarity", "pairwise_distance"]
