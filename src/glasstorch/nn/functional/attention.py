"""Attention: ``scaled_dot_product_attention``, the core of a transformer layer.

Each query row asks "which keys look like me?" and takes the matching mixture of the values::

    scores  = query @ key^T * scale          (..., L, S)   scale = 1 / sqrt(E) by default
    weights = softmax(scores + mask, dim=-1)  (..., L, S)   each row sums to 1
    output  = weights @ value                 (..., L, Ev)

with ``query`` (..., L, E), ``key`` (..., S, E) and ``value`` (..., S, Ev). A mask says which keys
each query may see: a bool ``attn_mask`` (True = may attend) or ``is_causal=True`` (query ``i``
sees keys ``0..i`` only) become ``-inf`` scores; a float ``attn_mask`` is added to the scores. A
query that may see no key at all gets zero weights (and so a zero output and zero gradients), as
in torch, rather than the ``nan`` a softmax of ``-inf`` everywhere would give.

The function is composed of glasstorch ops (matmul, softmax, dropout), so its gradients, and
second derivatives, come from theirs.
"""

from __future__ import annotations

import math

import numpy as np

from ..._dtype import c_name, scalar_name
from ..._errors import not_tensor
from ..._tensor import Tensor, _wrap
from .dropout import dropout
from .softmax import softmax


def _check(query, key, value, attn_mask, dropout_p: float) -> None:
    """torch's checks, in its order, with its messages."""
    for name, t in (("query", query), ("key", key), ("value", value)):
        if not isinstance(t, Tensor):
            raise not_tensor("scaled_dot_product_attention", t, name)
    q, k, v = query._data, key._data, value._data
    if not q.dtype == k.dtype == v.dtype:
        raise RuntimeError(
            "Expected query, key, and value to have the same dtype, but got query.dtype: "
            f"{c_name(q.dtype)} key.dtype: {c_name(k.dtype)} and value.dtype: "
            f"{c_name(v.dtype)} instead."
        )
    if min(q.ndim, k.ndim, v.ndim) < 2:
        raise RuntimeError(
            "Expected query, key, and value to all be  at least 2 dimensional, but got "
            f"query.dim: {q.ndim} key.dim: {k.ndim} and value.dim: {v.ndim} instead."
        )
    if attn_mask is not None:
        m = attn_mask._data
        if m.dtype != np.bool_ and m.dtype != np.float32 and m.dtype != q.dtype:
            raise RuntimeError(
                "Expected attn_mask dtype to be bool or float or to match query dtype, but got "
                f"attn_mask.dtype: {c_name(m.dtype)} and  query.dtype: {c_name(q.dtype)} "
                "instead."
            )
    if not 0.0 <= dropout_p <= 1.0:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {dropout_p}")
    if q.dtype.kind not in "fc":
        raise RuntimeError(f"expected scalar type Float but found {scalar_name(q.dtype)}")
    batch = math.prod(q.shape[:-2])
    for got, want in ((k.shape[-1], q.shape[-1]), (v.shape[-2], k.shape[-2])):  # key, value
        if got != want:
            raise RuntimeError(
                f"Expected size for first two dimensions of batch2 tensor to be: [{batch}, "
                f"{want}] but got: [{batch}, {got}]."
            )


def _repeat_heads(t: Tensor, times: int) -> Tensor:
    """(..., H, S, E) → (..., H * times, S, E), each head repeated ``times`` times in place."""
    shape = tuple(t.shape)
    wide = t.unsqueeze(-3).expand(*shape[:-2], times, *shape[-2:])
    return wide.reshape(*shape[:-3], shape[-3] * times, *shape[-2:])


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Tensor | None = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """``softmax(query @ key^T * scale + mask) @ value``, with optional dropout on the weights.

    Args:
        query: ``(..., L, E)``; key: ``(..., S, E)``; value: ``(..., S, Ev)`` (the leading
            dimensions broadcast, e.g. (batch, heads)).
        attn_mask: broadcastable to ``(..., L, S)``: bool (True where a query may attend) or
            float32 / the query's dtype, added to the scores (``-inf`` forbids).
        dropout_p: probability of zeroing each attention weight (the rest scaled by
            ``1 / (1 - p)``); this function always applies it, so pass 0 in evaluation.
        is_causal: query ``i`` attends to keys ``j <= i`` only (a lower-triangular mask);
            not together with ``attn_mask``.
        scale: multiplies the scores; default ``1 / sqrt(E)``.
        enable_gqa: grouped-query attention: key/value may have fewer heads (dim -3) than
            query, each shared by ``query_heads / kv_heads`` query heads.

    Returns:
        ``(..., L, Ev)``.

    Example::

        >>> q, k, v = torch.randn(2, 8, 10, 16), torch.randn(2, 8, 12, 16), torch.randn(2, 8, 12, 4)
        >>> F.scaled_dot_product_attention(q, k, v).shape
        torch.Size([2, 8, 10, 4])
    """
    if attn_mask is not None and is_causal:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set "
                           "when is_causal=True")
    _check(query, key, value, attn_mask, dropout_p)
    if enable_gqa and key.dim() >= 3 and key.shape[-3] != query.shape[-3]:
        times = query.shape[-3] // key.shape[-3]
        key, value = _repeat_heads(key, times), _repeat_heads(value, times)
    n_q, n_k, e = query.shape[-2], key.shape[-2], query.shape[-1]
    factor = 1.0 / math.sqrt(e) if scale is None else float(scale)
    scores = query.matmul(key.transpose(-2, -1)) * factor
    allowed = None  # bool array broadcastable to (..., L, S), or None when all may attend
    if is_causal:
        allowed = np.tril(np.ones((n_q, n_k), np.bool_))
    elif attn_mask is not None and attn_mask._data.dtype == np.bool_:
        allowed = attn_mask._data
    elif attn_mask is not None:
        scores = scores + attn_mask
    if allowed is not None:
        scores = scores.masked_fill(_wrap(~allowed), float("-inf"))
    blocked = np.isneginf(scores._data).all(-1, keepdims=True) if n_k else None
    if blocked is not None and blocked.any():
        # a query that may see no key: a finite row for the softmax, then zero weights
        scores = scores.masked_fill(_wrap(blocked), 0.0)
        weights = softmax(scores, -1).masked_fill(_wrap(blocked), 0.0)
    else:
        weights = softmax(scores, -1)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p)
    return weights.matmul(value)


__all__ = ["scaled_dot_product_attention"]
