"""Attention helpers of d2l chapter 10: scoring, multi-head attention and the Transformer encoder.

- ``show_heatmaps(matrices, xlabel, ylabel)``: a grid of attention-weight heatmaps (10.1);
- ``masked_softmax(X, valid_lens)``: softmax over the last axis that gives padding weight 0;
- ``AdditiveAttention``, ``DotProductAttention``: the two scoring functions of 10.3;
- ``AttentionDecoder``: the decoder interface with ``attention_weights`` (10.4);
- ``MultiHeadAttention`` with ``transpose_qkv`` / ``transpose_output`` (10.5);
- ``PositionalEncoding`` (10.6); ``PositionWiseFFN``, ``AddNorm``, ``EncoderBlock``,
  ``TransformerEncoder`` (10.7).

Shapes follow the book: queries ``(batch_size, num_queries, d)``, keys ``(batch_size,
num_kv, d)``, values ``(batch_size, num_kv, v)``; ``valid_lens`` is ``(batch_size,)`` (one length
for all queries of an example) or ``(batch_size, num_queries)``.
"""

from __future__ import annotations

import math

import glasstorch as torch
from glasstorch import nn
from glasstorch.nn import functional as F

from .plotting import pyplot, use_svg_display
from .seq2seq import Decoder, Encoder, sequence_mask

__all__ = ["show_heatmaps", "masked_softmax", "AdditiveAttention", "DotProductAttention",
           "AttentionDecoder", "MultiHeadAttention", "transpose_qkv", "transpose_output",
           "PositionalEncoding", "PositionWiseFFN", "AddNorm", "EncoderBlock",
           "TransformerEncoder"]


def show_heatmaps(matrices, xlabel, ylabel, titles=None, figsize=(2.5, 2.5),
                  cmap="Reds") -> None:
    """Draw ``matrices`` (shape ``(rows, cols, h, w)``) as a ``rows × cols`` grid of heatmaps
    with one shared colour bar; ``titles`` label the columns."""
    plt = pyplot()
    use_svg_display()
    num_rows, num_cols = matrices.shape[0], matrices.shape[1]
    fig, axes = plt.subplots(num_rows, num_cols, figsize=figsize, sharex=True, sharey=True,
                             squeeze=False)
    for i, (row_axes, row_matrices) in enumerate(zip(axes, matrices)):
        for j, (ax, matrix) in enumerate(zip(row_axes, row_matrices)):
            pcm = ax.imshow(matrix.detach().numpy(), cmap=cmap)
            if i == num_rows - 1:
                ax.set_xlabel(xlabel)
            if j == 0:
                ax.set_ylabel(ylabel)
            if titles:
                ax.set_title(titles[j])
    fig.colorbar(pcm, ax=axes, shrink=0.6)


def masked_softmax(X, valid_lens):
    """Softmax over the last axis of ``X`` (3-d) in which entries past ``valid_lens`` get 0.

    ``valid_lens`` is ``None`` (plain softmax), ``(batch_size,)`` or ``(batch_size,
    num_queries)``. Masked scores are replaced by -1e6 before the softmax, so a row with no valid
    entry comes out uniform (as in the book).
    """
    if valid_lens is None:
        return F.softmax(X, dim=-1)
    shape = X.shape
    if valid_lens.dim() == 1:
        valid_lens = torch.repeat_interleave(valid_lens, shape[1])
    else:
        valid_lens = valid_lens.reshape(-1)
    X = sequence_mask(X.reshape(-1, shape[-1]), valid_lens, value=-1e6)
    return F.softmax(X.reshape(shape), dim=-1)


class AdditiveAttention(nn.Module):
    """Additive (Bahdanau) scoring: ``score(q, k) = w_vᵀ tanh(W_q q + W_k k)`` (10.3.2).

    Queries and keys may have different sizes (``query_size``, ``key_size``); both are projected
    to ``num_hiddens``. ``forward(queries, keys, values, valid_lens)`` →
    ``(batch_size, num_queries, value_size)``; the weights are kept in ``attention_weights``.
    """

    def __init__(self, key_size: int, query_size: int, num_hiddens: int, dropout: float,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.W_k = nn.Linear(key_size, num_hiddens, bias=False)
        self.W_q = nn.Linear(query_size, num_hiddens, bias=False)
        self.w_v = nn.Linear(num_hiddens, 1, bias=False)
        self.dropout = nn.Dropout(dropout)

    def forward(self, queries, keys, values, valid_lens):
        queries, keys = self.W_q(queries), self.W_k(keys)
        # (batch, nq, 1, h) + (batch, 1, nkv, h) → (batch, nq, nkv, h): every query-key pair
        features = torch.tanh(queries.unsqueeze(2) + keys.unsqueeze(1))
        scores = self.w_v(features).squeeze(-1)  # (batch, nq, nkv)
        self.attention_weights = masked_softmax(scores, valid_lens)
        return torch.bmm(self.dropout(self.attention_weights), values)


class DotProductAttention(nn.Module):
    """Scaled dot-product scoring: ``score(q, k) = q·k / √d`` (10.3.3); queries and keys both
    of size ``d``. ``forward(queries, keys, values, valid_lens=None)`` → ``(batch_size,
    num_queries, value_size)``; the weights are kept in ``attention_weights``."""

    def __init__(self, dropout: float, **kwargs) -> None:
        super().__init__(**kwargs)
        self.dropout = nn.Dropout(dropout)

    def forward(self, queries, keys, values, valid_lens=None):
        d = queries.shape[-1]
        scores = torch.bmm(queries, keys.transpose(1, 2)) / math.sqrt(d)
        self.attention_weights = masked_softmax(scores, valid_lens)
        return torch.bmm(self.dropout(self.attention_weights), values)


class AttentionDecoder(Decoder):
    """The decoder interface of attention models: also exposes ``attention_weights``."""

    @property
    def attention_weights(self):
        raise NotImplementedError(f"{type(self).__name__} must define attention_weights")


def transpose_qkv(X, num_heads: int):
    """``(batch, n, num_hiddens)`` → ``(batch * num_heads, n, num_hiddens / num_heads)``: the
    heads side by side in the batch axis, so one batched matrix product serves them all."""
    X = X.reshape(X.shape[0], X.shape[1], num_heads, -1)
    X = X.permute(0, 2, 1, 3)  # (batch, heads, n, head_size)
    return X.reshape(-1, X.shape[2], X.shape[3])


def transpose_output(X, num_heads: int):
    """The inverse of ``transpose_qkv``: ``(batch * num_heads, n, head_size)`` →
    ``(batch, n, num_heads * head_size)``."""
    X = X.reshape(-1, num_heads, X.shape[1], X.shape[2])
    X = X.permute(0, 2, 1, 3)  # (batch, n, heads, head_size)
    return X.reshape(X.shape[0], X.shape[1], -1)


class MultiHeadAttention(nn.Module):
    """Multi-head attention (10.5): ``num_heads`` scaled dot-product attentions in parallel.

    Queries, keys and values are projected by ``W_q``, ``W_k``, ``W_v`` to ``num_hiddens``
    (split into ``num_heads`` heads of ``num_hiddens / num_heads``), attended per head, and the
    heads' outputs concatenated and projected by ``W_o``. ``forward(queries, keys, values,
    valid_lens)`` → ``(batch_size, num_queries, num_hiddens)``; the per-head weights are in
    ``attention.attention_weights`` (``(batch_size * num_heads, num_queries, num_kv)``).
    """

    def __init__(self, key_size: int, query_size: int, value_size: int, num_hiddens: int,
                 num_heads: int, dropout: float, bias: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.num_heads = num_heads
        self.attention = DotProductAttention(dropout)
        self.W_q = nn.Linear(query_size, num_hiddens, bias=bias)
        self.W_k = nn.Linear(key_size, num_hiddens, bias=bias)
        self.W_v = nn.Linear(value_size, num_hiddens, bias=bias)
        self.W_o = nn.Linear(num_hiddens, num_hiddens, bias=bias)

    def forward(self, queries, keys, values, valid_lens):
        queries = transpose_qkv(self.W_q(queries), self.num_heads)
        keys = transpose_qkv(self.W_k(keys), self.num_heads)
        values = transpose_qkv(self.W_v(values), self.num_heads)
        if valid_lens is not None:
            # each example's lengths once per head, in the order transpose_qkv put the heads
            valid_lens = torch.repeat_interleave(valid_lens, repeats=self.num_heads, dim=0)
        output = self.attention(queries, keys, values, valid_lens)
        return self.W_o(transpose_output(output, self.num_heads))


class PositionalEncoding(nn.Module):
    """Sinusoidal positional encoding (10.6): adds ``P`` to the input, then dropout.

    ``P[0, i, 2j] = sin(i / 10000^(2j/d))`` and ``P[0, i, 2j+1] = cos(i / 10000^(2j/d))`` for
    positions ``i < max_len`` and ``d = num_hiddens`` (even). ``X`` ``(batch, n, d)`` with
    ``n <= max_len`` → same shape. ``P`` is a plain attribute (not a buffer), as in the book.
    """

    def __init__(self, num_hiddens: int, dropout: float, max_len: int = 1000) -> None:
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.P = torch.zeros((1, max_len, num_hiddens))
        X = torch.arange(max_len, dtype=torch.float32).reshape(-1, 1) / torch.pow(
            10000, torch.arange(0, num_hiddens, 2, dtype=torch.float32) / num_hiddens)
        self.P[:, :, 0::2] = torch.sin(X)
        self.P[:, :, 1::2] = torch.cos(X)

    def forward(self, X):
        X = X + self.P[:, :X.shape[1], :].to(X.device)
        return self.dropout(X)


class PositionWiseFFN(nn.Module):
    """The Transformer's feed-forward block: ``dense2(relu(dense1(X)))``, applied to every
    position alike; ``(…, ffn_num_input)`` → ``(…, ffn_num_outputs)``."""

    def __init__(self, ffn_num_input: int, ffn_num_hiddens: int, ffn_num_outputs: int,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.dense1 = nn.Linear(ffn_num_input, ffn_num_hiddens)
        self.relu = nn.ReLU()
        self.dense2 = nn.Linear(ffn_num_hiddens, ffn_num_outputs)

    def forward(self, X):
        return self.dense2(self.relu(self.dense1(X)))


class AddNorm(nn.Module):
    """Residual connection then layer normalisation: ``ln(dropout(Y) + X)``."""

    def __init__(self, normalized_shape, dropout: float, **kwargs) -> None:
        super().__init__(**kwargs)
        self.dropout = nn.Dropout(dropout)
        self.ln = nn.LayerNorm(normalized_shape)

    def forward(self, X, Y):
        return self.ln(self.dropout(Y) + X)


class EncoderBlock(nn.Module):
    """One Transformer encoder block (10.7): multi-head self-attention and a position-wise
    feed-forward network, each followed by ``AddNorm``. ``(batch, n, num_hiddens)`` → same."""

    def __init__(self, key_size: int, query_size: int, value_size: int, num_hiddens: int,
                 norm_shape, ffn_num_input: int, ffn_num_hiddens: int, num_heads: int,
                 dropout: float, use_bias: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.attention = MultiHeadAttention(key_size, query_size, value_size, num_hiddens,
                                            num_heads, dropout, use_bias)
        self.addnorm1 = AddNorm(norm_shape, dropout)
        self.ffn = PositionWiseFFN(ffn_num_input, ffn_num_hiddens, num_hiddens)
        self.addnorm2 = AddNorm(norm_shape, dropout)

    def forward(self, X, valid_lens):
        Y = self.addnorm1(X, self.attention(X, X, X, valid_lens))
        return self.addnorm2(Y, self.ffn(Y))


class TransformerEncoder(Encoder):
    """The Transformer encoder (10.7): embedding scaled by √num_hiddens, positional encoding,
    then ``num_layers`` ``EncoderBlock``s (``blks.block0``, …).

    ``forward(X, valid_lens)``: ``X`` ``(batch, n)`` token indices → ``(batch, n, num_hiddens)``;
    ``attention_weights[i]`` holds block ``i``'s self-attention weights afterwards.
    """

    def __init__(self, vocab_size: int, key_size: int, query_size: int, value_size: int,
                 num_hiddens: int, norm_shape, ffn_num_input: int, ffn_num_hiddens: int,
                 num_heads: int, num_layers: int, dropout: float, use_bias: bool = False,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.num_hiddens = num_hiddens
        self.embedding = nn.Embedding(vocab_size, num_hiddens)
        self.pos_encoding = PositionalEncoding(num_hiddens, dropout)
        self.blks = nn.Sequential()
        for i in range(num_layers):
            self.blks.add_module(f"block{i}", EncoderBlock(
                key_size, query_size, value_size, num_hiddens, norm_shape, ffn_num_input,
                ffn_num_hiddens, num_heads, dropout, use_bias))

    def forward(self, X, valid_lens, *args):
        # the embedding is scaled up so the positional encoding (in [-1, 1]) does not drown it
        X = self.pos_encoding(self.embedding(X) * math.sqrt(self.num_hiddens))
        self.attention_weights = [None] * len(self.blks)
        for i, blk in enumerate(self.blks):
            X = blk(X, valid_lens)
            self.attention_weights[i] = blk.attention.attention.attention_weights
        return X
