"""``nn.MultiheadAttention``: attention with learned projections, split over several heads."""

from __future__ import annotations

from ... import _creation
from ..._tensor import Tensor
from .. import functional as F
from .. import init
from ..functional.attention import _canonical_mask
from ..parameter import Parameter
from .linear import NonDynamicallyQuantizableLinear
from .module import Module


class MultiheadAttention(Module):
    """Attention from ``query`` to ``key``/``value`` with ``num_heads`` heads of
    ``embed_dim // num_heads`` features each, as in "Attention Is All You Need"::

        MultiHead(Q, K, V) = concat(head_1, ..., head_H) @ W_out.T + b_out
        head_h = softmax((Q W_q,h)(K W_k,h)^T / sqrt(D) + mask) (V W_v,h)

    Self-attention is ``mha(x, x, x)``. The computation is ``F.multi_head_attention_forward``.

    Args:
        embed_dim (int): ``E``, the size of the queries and of the output.
        num_heads (int): ``H``; ``E`` must be divisible by it.
        dropout (float): dropout on the attention weights while training (default 0).
        bias (bool): biases on the input and output projections (default True).
        add_bias_kv (bool): learn one extra key and value appended to every sequence.
        add_zero_attn (bool): append a key and value of zeros to every sequence.
        kdim, vdim (int): sizes of the keys and values (default ``E``); when either differs, the
            projections are three separate weights instead of one packed ``in_proj_weight``.
        batch_first (bool): inputs and output are ``(N, L, E)`` instead of ``(L, N, E)``.

    Shape:
        - query ``(L, N, E)``, key ``(S, N, kdim)``, value ``(S, N, vdim)`` (batch first:
          ``(N, L, E)``...; unbatched: ``(L, E)``...).
        - key_padding_mask ``(N, S)`` (``(S,)`` unbatched): True (or ``-inf``) marks padding.
        - attn_mask ``(L, S)`` or ``(N * H, L, S)``: True (or ``-inf``) where a query may NOT
          attend -- the opposite of ``scaled_dot_product_attention``'s bool mask.
        - output ``(L, N, E)``; weights ``(N, L, S)`` (averaged over heads) or ``(N, H, L, S)``
          with ``average_attn_weights=False``; ``None`` with ``need_weights=False``.

    Attributes:
        in_proj_weight ``(3E, E)``: W_q, W_k, W_v stacked (or ``q_proj_weight`` ``(E, E)``,
            ``k_proj_weight`` ``(E, kdim)``, ``v_proj_weight`` ``(E, vdim)``), Xavier-uniform.
        in_proj_bias ``(3E,)``: zeros. out_proj: ``Linear(E, E)`` (its bias zeroed).
        bias_k, bias_v ``(1, 1, E)`` with ``add_bias_kv``: Xavier-normal.

    Example::

        >>> mha = nn.MultiheadAttention(16, 4, batch_first=True)
        >>> x = torch.randn(2, 5, 16)
        >>> out, weights = mha(x, x, x)
        >>> out.shape, weights.shape
        (torch.Size([2, 5, 16]), torch.Size([2, 5, 5]))
    """

    __constants__ = ["batch_first"]

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim: int | None = None,
                 vdim: int | None = None, batch_first: bool = False, device=None,
                 dtype=None) -> None:
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be greater than 0, got "
                             f"embed_dim={embed_dim} and num_heads={num_heads} instead")
        super().__init__()
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != embed_dim:
            raise AssertionError("embed_dim must be divisible by num_heads")

        def empty(*shape):
            return Parameter(_creation.empty(shape, device=device, dtype=dtype))

        if self._qkv_same_embed_dim:
            self.in_proj_weight = empty(3 * embed_dim, embed_dim)
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        else:
            self.q_proj_weight = empty(embed_dim, embed_dim)
            self.k_proj_weight = empty(embed_dim, self.kdim)
            self.v_proj_weight = empty(embed_dim, self.vdim)
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = empty(3 * embed_dim)
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias,
                                                        device=device, dtype=dtype)
        if add_bias_kv:
            self.bias_k = empty(1, 1, embed_dim)
            self.bias_v = empty(1, 1, embed_dim)
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        """Xavier-uniform projections, zero biases, Xavier-normal ``bias_k``/``bias_v``."""
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
        if self.bias_v is not None:
            init.xavier_normal_(self.bias_v)

    def forward(self, query: Tensor, key: Tensor, value: Tensor,
                key_padding_mask: Tensor | None = None, need_weights: bool = True,
                attn_mask: Tensor | None = None, average_attn_weights: bool = True,
                is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
        """``(output, weights)`` of attending from ``query`` to ``key``/``value`` (shapes in
        the class docstring)."""
        batched = query.dim() == 3
        key_padding_mask = _canonical_mask(
            key_padding_mask, "key_padding_mask", None if attn_mask is None else attn_mask.dtype,
            "attn_mask", query.dtype)
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype,
                                    check_other=False)
        if self.batch_first and batched:  # the functional form is sequence first
            query, key, value = (t.transpose(1, 0) for t in (query, key, value))
        separate = not self._qkv_same_embed_dim
        output, weights = F.multi_head_attention_forward(
            query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight,
            self.in_proj_bias, self.bias_k, self.bias_v, self.add_zero_attn, self.dropout,
            self.out_proj.weight, self.out_proj.bias, training=self.training,
            key_padding_mask=key_padding_mask, need_weights=need_weights, attn_mask=attn_mask,
            use_separate_proj_weight=separate, q_proj_weight=self.q_proj_weight,
            k_proj_weight=self.k_proj_weight, v_proj_weight=self.v_proj_weight,
            average_attn_weights=average_attn_weights, is_causal=is_causal)
        if self.batch_first and batched:
            output = output.transpose(1, 0)
        return output, weights


__all__ = ["MultiheadAttention"]
