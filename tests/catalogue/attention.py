"""Catalogue: ``F.multi_head_attention_forward``, the computation of ``nn.MultiheadAttention``.

Inputs are sequence first: query ``(L, N, E)``, key/value ``(S, N, E)``, then the packed input
projection ``(3E, E)`` and its bias ``(3E,)``, the output projection ``(E, E)`` and its bias.
(``scaled_dot_product_attention`` has its entries in ``functional.py``.)
"""

from __future__ import annotations

import numpy as np

import glasstorch.nn.functional  # noqa: F401  (makes ``glasstorch.nn.functional`` an attribute)

from .spec import ErrorSpec, OpSpec

E, H = 6, 3
_PADDING = np.array([[False, False, True, False], [False, True, False, False]])  # (N, S)
_SCORE_BIAS = np.linspace(-1.0, 1.0, 5 * 4).reshape(5, 4)  # a float (L, S) attn_mask


def _mha(lib, q, k, v, w_in, b_in, w_out, b_out, **kw):
    """One call of ``multi_head_attention_forward`` with E = 6 features in H = 3 heads."""
    kw.setdefault("need_weights", True)
    bias_k, bias_v = kw.pop("bias_kv", (None, None))
    return lib.nn.functional.multi_head_attention_forward(
        q, k, v, E, H, w_in, b_in, bias_k, bias_v, kw.pop("add_zero_attn", False), 0.0,
        w_out, b_out, **kw)


def _masks(lib, q):
    """The padding mask and an attention mask, both float in the query's dtype (-inf = padding)."""
    return {"key_padding_mask": lib.tensor(np.where(_PADDING, -np.inf, 0.0)).to(q.dtype),
            "attn_mask": lib.tensor(_SCORE_BIAS).to(q.dtype)}


# weights of the size an initialised layer has: with values up to 2 the scores saturate the
# softmax and float32 gradients differ from torch's by more than its default tolerance
W = (-0.5, 0.5)
SELF = [(5, 2, E), (3 * E, E), (3 * E,), (E, E), (E,)]
CROSS = [(5, 2, E), (4, 2, E), (4, 2, E), (3 * E, E), (3 * E,), (E, E), (E,)]

OPS = [
    OpSpec("mha/self-output", lambda L, x, wi, bi, wo, bo: _mha(L, x, x, x, wi, bi, wo, bo)[0],
           SELF, domain=W),
    OpSpec("mha/self-weights", lambda L, x, wi, bi, wo, bo: _mha(L, x, x, x, wi, bi, wo, bo)[1],
           SELF, domain=W),
    OpSpec("mha/cross-masks", lambda L, q, k, v, wi, bi, wo, bo: _mha(
        L, q, k, v, wi, bi, wo, bo, **_masks(L, q))[0], CROSS, domain=W),
    OpSpec("mha/cross-masks-per-head", lambda L, q, k, v, wi, bi, wo, bo: _mha(
        L, q, k, v, wi, bi, wo, bo, average_attn_weights=False, **_masks(L, q))[1], CROSS,
        domain=W),
    OpSpec("mha/no-weights", lambda L, q, k, v, wi, bi, wo, bo: _mha(
        L, q, k, v, wi, bi, wo, bo, need_weights=False, **_masks(L, q))[0], CROSS, domain=W),
    OpSpec("mha/bias-kv-zero-attn", lambda L, q, k, v, wi, bi, wo, bo, bk, bv: _mha(
        L, q, k, v, wi, bi, wo, bo, bias_kv=(bk, bv), add_zero_attn=True,
        key_padding_mask=L.tensor(_PADDING))[0], CROSS + [(1, 1, E), (1, 1, E)], domain=W),
    OpSpec("mha/separate-proj", lambda L, q, k, v, wq, wk, wv, bi, wo, bo: _mha(
        L, q, k, v, None, bi, wo, bo, use_separate_proj_weight=True, q_proj_weight=wq,
        k_proj_weight=wk, v_proj_weight=wv)[0],
        [(5, 2, E), (4, 2, 3), (4, 2, 2), (E, E), (E, 3), (E, 2), (3 * E,), (E, E), (E,)],
        domain=W),
    OpSpec("mha/unbatched", lambda L, q, k, v, wi, bi, wo, bo: _mha(
        L, q, k, v, wi, bi, wo, bo, key_padding_mask=L.tensor(_PADDING[0]))[0],
        [(5, E), (4, E), (4, E), (3 * E, E), (3 * E,), (E, E), (E,)], domain=W),
    OpSpec("mha/no-bias", lambda L, x, wi, wo: _mha(L, x, x, x, wi, None, wo, None)[0],
           [(5, 2, E), (3 * E, E), (E, E)], domain=W),
]

ERRORS = [
    ErrorSpec("mha/embed-dim", lambda L, x, wi, bi, wo, bo: _mha(L, x, x, x, wi, bi, wo, bo),
              [(5, 2, 4), (3 * E, E), (3 * E,), (E, E), (E,)], exc=AssertionError,
              contains=("was expecting embedding dimension of 6, but got 4",)),
    ErrorSpec("mha/4d-query", lambda L, x, wi, bi, wo, bo: _mha(L, x, x, x, wi, bi, wo, bo),
              [(1, 5, 2, E), (3 * E, E), (3 * E,), (E, E), (E,)], exc=AssertionError,
              contains=("query should be unbatched 2D or batched 3D tensor but received 4-D "
                        "query tensor",)),
    ErrorSpec("mha/attn-mask-shape", lambda L, x, wi, bi, wo, bo: _mha(
        L, x, x, x, wi, bi, wo, bo, attn_mask=L.zeros(5, 4, dtype=L.bool)),
        [(5, 2, E), (3 * E, E), (3 * E,), (E, E), (E,)],
        contains=("The shape of the 2D attn_mask is torch.Size([5, 4]), but should be (5, 5).",)),
    ErrorSpec("mha/padding-shape", lambda L, x, wi, bi, wo, bo: _mha(
        L, x, x, x, wi, bi, wo, bo, key_padding_mask=L.zeros(2, 4, dtype=L.bool)),
        [(5, 2, E), (3 * E, E), (3 * E,), (E, E), (E,)], exc=AssertionError,
        contains=("Expected key_padded_mask.shape[1] to be 5, but got 4",)),
    ErrorSpec("mha/int-mask", lambda L, x, wi, bi, wo, bo: _mha(
        L, x, x, x, wi, bi, wo, bo, attn_mask=L.zeros(5, 5, dtype=L.int64)),
        [(5, 2, E), (3 * E, E), (3 * E,), (E, E), (E,)], exc=AssertionError,
        contains=("only bool and floating types of attn_mask are supported",)),
    ErrorSpec("mha/causal-without-mask", lambda L, x, wi, bi, wo, bo: _mha(
        L, x, x, x, wi, bi, wo, bo, is_causal=True),
        [(5, 2, E), (3 * E, E), (3 * E,), (E, E), (E,)],
        contains=("Need attn_mask if specifying the is_causal hint",
                  "generate_square_subsequent_mask")),
    ErrorSpec("mha/key-value-shapes", lambda L, q, k, v, wi, bi, wo, bo: _mha(
        L, q, k, v, wi, bi, wo, bo), [(5, 2, E), (4, 2, E), (3, 2, E), (3 * E, E), (3 * E,),
                                      (E, E), (E,)], exc=AssertionError,
        contains=("key shape torch.Size([4, 2, 6]) does not match value shape "
                  "torch.Size([3, 2, 6])",)),
    ErrorSpec("mha/bias-k-alone", lambda L, x, wi, bi, wo, bo, bk: _mha(
        L, x, x, x, wi, bi, wo, bo, bias_kv=(bk, None)),
        [(5, 2, E), (3 * E, E), (3 * E,), (E, E), (E,), (1, 1, E)], exc=AssertionError,
        contains=("bias_k is set but bias_v is None",)),
]
