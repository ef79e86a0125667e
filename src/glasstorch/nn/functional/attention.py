"""Attention: ``scaled_dot_product_attention``, the core of a transformer layer, and
``multi_head_attention_forward``, the computation of ``nn.MultiheadAttention``.

Each query row asks "which keys look like me?" and takes the matching mixture of the values::

    scores  = query @ key^T * scale          (..., L, S)   scale = 1 / sqrt(E) by default
    weights = softmax(scores + mask, dim=-1)  (..., L, S)   each row sums to 1
    output  = weights @ value                 (..., L, Ev)

with ``query`` (..., L, E), ``key`` (..., S, E) and ``value`` (..., S, Ev). A mask says which keys
each query may see: a bool ``attn_mask`` (True = may attend) or ``is_causal=True`` (query ``i``
sees keys ``0..i`` only) become ``-inf`` scores; a float ``attn_mask`` is added to the scores. A
query that may see no key at all gets zero weights (and so a zero output and zero gradients), as
in torch, rather than the ``nan`` a softmax of ``-inf`` everywhere would give.

Multi-head attention projects queries, keys and values with learned weights, splits the
embedding into ``num_heads`` slices, runs the attention above on each slice independently and
projects the heads' concatenated outputs once more.

Both functions are composed of glasstorch ops (linear, matmul, softmax, dropout), so their
gradients, and second derivatives, come from theirs.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from ... import _array
from ..._dtype import c_name, scalar_name
from ..._errors import not_tensor
from ..._tensor import Tensor, _wrap
from ...ops.join import cat
from .dropout import dropout
from .linear import linear
from .padding import pad
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
        allowed = np.tril(_array.namespace(scores._data).ones((n_q, n_k), np.bool_))
    elif attn_mask is not None and attn_mask._data.dtype == np.bool_:
        allowed = attn_mask._data
    elif attn_mask is not None:
        scores = scores + attn_mask
    if allowed is not None:
        scores = scores.masked_fill(_wrap(~allowed), float("-inf"))
    blocked = (scores._data == -np.inf).all(-1, keepdims=True) if n_k else None
    if blocked is not None and blocked.any():
        # a query that may see no key: a finite row for the softmax, then zero weights
        scores = scores.masked_fill(_wrap(blocked), 0.0)
        weights = softmax(scores, -1).masked_fill(_wrap(blocked), 0.0)
    else:
        weights = softmax(scores, -1)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p)
    return weights.matmul(value)


# ---- multi-head attention -------------------------------------------------------------------
def _canonical_mask(mask, mask_name: str, other_type, other_name: str, target_type,
                    check_other: bool = True):
    """A mask as the float tensor attention adds to its scores: a bool mask (True = may NOT
    attend, as ``nn.MultiheadAttention`` reads it) becomes ``-inf`` where True and 0 elsewhere;
    a float mask is returned as it is."""
    if mask is None:
        return None
    kind = mask._data.dtype.kind
    if check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. Use "
                      "same type for both instead.", UserWarning, stacklevel=3)
    if kind != "f" and kind != "b":
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    if kind == "b":
        arr = _array.namespace(mask._data).zeros(mask._data.shape, dtype=target_type.np)
        arr[mask._data] = -np.inf
        return _wrap(arr)
    return mask


def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads) -> bool:
    """Whether the call is batched (3-D query) or not (2-D), checking every input's rank."""
    if query.dim() == 3:
        if key.dim() != 3 or value.dim() != 3:
            raise AssertionError(
                "For batched (3-D) `query`, expected `key` and `value` to be 3-D but found "
                f"{key.dim()}-D and {value.dim()}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 2:
            raise AssertionError(
                "For batched (3-D) `query`, expected `key_padding_mask` to be `None` or 2-D but "
                f"found {key_padding_mask.dim()}-D tensor instead")
        if attn_mask is not None and attn_mask.dim() not in (2, 3):
            raise AssertionError(
                "For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D but "
                f"found {attn_mask.dim()}-D tensor instead")
        return True
    if query.dim() == 2:
        if key.dim() != 2 or value.dim() != 2:
            raise AssertionError(
                "For unbatched (2-D) `query`, expected `key` and `value` to be 2-D but found "
                f"{key.dim()}-D and {value.dim()}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 1:
            raise AssertionError(
                "For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` or 1-D "
                f"but found {key_padding_mask.dim()}-D tensor instead")
        if attn_mask is not None:
            if attn_mask.dim() not in (2, 3):
                raise AssertionError(
                    "For unbatched (2-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D "
                    f"but found {attn_mask.dim()}-D tensor instead")
            if attn_mask.dim() == 3:
                want = (num_heads, query.shape[0], key.shape[0])
                if tuple(attn_mask.shape) != want:
                    raise AssertionError(f"Expected `attn_mask` shape to be {want} but got "
                                         f"{attn_mask.shape}")
        return False
    raise AssertionError("query should be unbatched 2D or batched 3D tensor but received "
                         f"{query.dim()}-D query tensor")


def _in_projection(query, key, value, weights, biases):
    """``query @ w_q.T + b_q`` and the same for key and value, each with its own weight."""
    return tuple(linear(x, w, b) for x, w, b in zip((query, key, value), weights, biases))


def _check_separate_weights(q_w, k_w, v_w, biases, e_q: int, e_k: int, e_v: int) -> None:
    for name, w, want in (("query", q_w, (e_q, e_q)), ("key", k_w, (e_q, e_k)),
                          ("value", v_w, (e_q, e_v))):
        if tuple(w.shape) != want:
            raise AssertionError(f"expecting {name} weights shape of {want}, but got {w.shape}")
    for name, b in zip(("query", "key", "value"), biases):
        if b is not None and tuple(b.shape) != (e_q,):
            raise AssertionError(f"expecting {name} bias shape of {(e_q,)}, but got {b.shape}")


def _heads_first(t: Tensor, batch_heads: int, head_dim: int) -> Tensor:
    """(seq, batch, embed) → (batch * heads, seq, head_dim): each head a separate batch entry."""
    return t.reshape(t.shape[0], batch_heads, head_dim).transpose(0, 1)


def multi_head_attention_forward(
    query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: int, num_heads: int,
    in_proj_weight: Tensor | None, in_proj_bias: Tensor | None, bias_k: Tensor | None,
    bias_v: Tensor | None, add_zero_attn: bool, dropout_p: float, out_proj_weight: Tensor,
    out_proj_bias: Tensor | None, training: bool = True, key_padding_mask: Tensor | None = None,
    need_weights: bool = True, attn_mask: Tensor | None = None,
    use_separate_proj_weight: bool = False, q_proj_weight: Tensor | None = None,
    k_proj_weight: Tensor | None = None, v_proj_weight: Tensor | None = None,
    static_k: Tensor | None = None, static_v: Tensor | None = None,
    average_attn_weights: bool = True, is_causal: bool = False,
) -> tuple[Tensor, Tensor | None]:
    """Multi-head attention, sequence first: what ``nn.MultiheadAttention`` computes.

    With ``E = embed_dim``, ``H = num_heads`` and ``D = E / H``::

        q, k, v = query @ W_q.T + b_q, key @ W_k.T + b_k, value @ W_v.T + b_v
        head_h  = softmax(q_h @ k_h.T / sqrt(D) + mask) @ v_h     for each D-wide slice h
        output  = concat(head_1 .. head_H) @ W_out.T + b_out

    ``W_q, W_k, W_v`` are the three ``(E, E)`` blocks of ``in_proj_weight`` ``(3E, E)`` (and
    ``b_q, b_k, b_v`` of ``in_proj_bias``), or, with ``use_separate_proj_weight=True``,
    ``q_proj_weight`` ``(E, E)``, ``k_proj_weight`` ``(E, kdim)``, ``v_proj_weight``
    ``(E, vdim)``.

    Args:
        query: ``(L, N, E)``, or ``(L, E)`` unbatched; key: ``(S, N, kdim)``; value:
            ``(S, N, vdim)`` (``(S, kdim)``, ``(S, vdim)`` unbatched).
        bias_k, bias_v: ``(1, 1, E)``: one more learned key/value appended to the sequence.
        add_zero_attn: append a key and value of zeros (after the projections).
        dropout_p: dropout on the attention weights (only when ``training``).
        key_padding_mask: ``(N, S)`` (``(S,)`` unbatched): bool, True = padding, ignored; or
            float, added to the scores.
        attn_mask: ``(L, S)`` or ``(N * H, L, S)``: bool, True = may NOT attend; or float, added.
        need_weights: also return the attention weights (then computed here step by step;
            otherwise ``scaled_dot_product_attention`` does the work and ``None`` comes back).
        static_k, static_v: ``(N * H, S, D)``: keys/values already projected and split in heads.
        average_attn_weights: average the returned weights over the heads.
        is_causal: a hint that ``attn_mask`` is the causal mask (it must still be given).

    Returns:
        ``(output, weights)``: output ``(L, N, E)`` (``(L, E)`` unbatched); weights ``(N, L, S)``
        averaged over heads or ``(N, H, L, S)`` (no ``N`` unbatched), or ``None``.
    """
    batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not batched:  # give it a batch of one, removed again at the end
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    key_padding_mask = _canonical_mask(
        key_padding_mask, "key_padding_mask", None if attn_mask is None else attn_mask.dtype,
        "attn_mask", query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError(
            "Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
            "method `generate_square_subsequent_mask` to create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # scaled_dot_product_attention applies the causal mask itself
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype,
                                    check_other=False)
        if key_padding_mask is not None:
            is_causal = False  # the masks are merged below; the hint no longer holds
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but "
                             f"got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if tuple(key.shape[:2]) != tuple(value.shape[:2]):
            raise AssertionError(f"key's sequence and batch dims {key.shape[:2]} do not match "
                                 f"value's {value.shape[:2]}")
    elif tuple(key.shape) != tuple(value.shape):
        raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")

    # 1. project queries, keys and values
    biases = (None, None, None) if in_proj_bias is None else in_proj_bias.chunk(3)
    if not use_separate_proj_weight:
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        weights = in_proj_weight.chunk(3)
    else:
        for name, w in (("q", q_proj_weight), ("k", k_proj_weight), ("v", v_proj_weight)):
            if w is None:
                raise AssertionError(
                    f"use_separate_proj_weight is True but {name}_proj_weight is None")
        weights = (q_proj_weight, k_proj_weight, v_proj_weight)
        _check_separate_weights(*weights, biases, embed_dim, key.shape[-1], value.shape[-1])
    q, k, v = _in_projection(query, key, value, weights, biases)

    # 2. the attention mask as (1, L, S) or (N * H, L, S)
    if attn_mask is not None:
        if attn_mask.dim() == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but "
                                   f"should be {(tgt_len, src_len)}.")
            attn_mask = attn_mask.unsqueeze(0)
        elif attn_mask.dim() == 3:
            want = (bsz * num_heads, tgt_len, src_len)
            if tuple(attn_mask.shape) != want:
                raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but "
                                   f"should be {want}.")
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.dim()} is not supported")

    # 3. the learned extra key/value (bias_k, bias_v): one more position every query may see
    if bias_k is not None and bias_v is not None:
        if static_k is not None:
            raise AssertionError("bias cannot be added to static key.")
        if static_v is not None:
            raise AssertionError("bias cannot be added to static value.")
        k = cat([k, bias_k.repeat(1, bsz, 1)])
        v = cat([v, bias_v.repeat(1, bsz, 1)])
        if attn_mask is not None:
            attn_mask = pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = pad(key_padding_mask, (0, 1))
    elif bias_k is not None:
        raise AssertionError("bias_k is set but bias_v is None")
    elif bias_v is not None:
        raise AssertionError("bias_v is set but bias_k is None")

    # 4. split the heads: (seq, N, E) → (N * H, seq, D)
    q = _heads_first(q, bsz * num_heads, head_dim)
    k = _heads_first(k, bsz * num_heads, head_dim) if static_k is None else _static(
        static_k, "static_k", bsz * num_heads, head_dim)
    v = _heads_first(v, bsz * num_heads, head_dim) if static_v is None else _static(
        static_v, "static_v", bsz * num_heads, head_dim)

    # 5. a key and value of zeros (add_zero_attn): a position to attend to that adds nothing
    if add_zero_attn:
        k = cat([k, k.new_zeros((bsz * num_heads, 1, head_dim))], dim=1)
        v = cat([v, v.new_zeros((bsz * num_heads, 1, head_dim))], dim=1)
        if attn_mask is not None:
            attn_mask = pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = pad(key_padding_mask, (0, 1))
    src_len = k.shape[1]

    # 6. merge the padding mask into the attention mask: (N, S) → (N * H, 1, S)
    if key_padding_mask is not None:
        for i, want in enumerate((bsz, src_len)):
            if key_padding_mask.shape[i] != want:
                raise AssertionError(f"Expected key_padded_mask.shape[{i}] to be {want}, but got "
                                     f"{key_padding_mask.shape[i]}")
        per_head = key_padding_mask.reshape(bsz, 1, 1, src_len).expand(-1, num_heads, -1, -1)
        per_head = per_head.reshape(bsz * num_heads, 1, src_len)
        attn_mask = per_head if attn_mask is None else attn_mask + per_head
    if not training:
        dropout_p = 0.0

    # 7. attention per head, then the output projection
    if need_weights:
        q_scaled = q * math.sqrt(1.0 / float(head_dim))
        if is_causal and attn_mask is None:
            raise AssertionError("FIXME: is_causal not implemented for need_weights")
        if attn_mask is not None:  # mask + q k^T in one op (its dtype must match)
            scores = attn_mask.baddbmm(q_scaled, k.transpose(-2, -1))
        else:
            scores = q_scaled.bmm(k.transpose(-2, -1))
        attn = softmax(scores, dim=-1)
        if dropout_p > 0.0:
            attn = dropout(attn, p=dropout_p)
        out = attn.bmm(v)  # (N * H, L, D)
        out = out.transpose(0, 1).contiguous().view(tgt_len * bsz, embed_dim)
        out = linear(out, out_proj_weight, out_proj_bias).view(tgt_len, bsz, out.shape[1])
        attn = attn.view(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            attn = attn.mean(dim=1)
        if not batched:
            out, attn = out.squeeze(1), attn.squeeze(0)
        return out, attn
    if attn_mask is not None:
        if attn_mask.shape[0] == 1 and attn_mask.dim() == 3:
            attn_mask = attn_mask.unsqueeze(0)
        else:
            attn_mask = attn_mask.view(bsz, num_heads, -1, src_len)
    q = q.view(bsz, num_heads, tgt_len, head_dim)
    k = k.view(bsz, num_heads, src_len, head_dim)
    v = v.view(bsz, num_heads, src_len, head_dim)
    out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    out = out.permute(2, 0, 1, 3).contiguous().view(bsz * tgt_len, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias).view(tgt_len, bsz, out.shape[1])
    return (out if batched else out.squeeze(1)), None


def _static(t: Tensor, name: str, batch_heads: int, head_dim: int) -> Tensor:
    """A ready-made ``static_k``/``static_v`` ``(N * H, S, D)``, its sizes checked."""
    if t.shape[0] != batch_heads:
        raise AssertionError(f"expecting {name}.size(0) of {batch_heads}, but got {t.shape[0]}")
    if t.shape[2] != head_dim:
        raise AssertionError(f"expecting {name}.size(2) of {head_dim}, but got {t.shape[2]}")
    return t


__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]
