"""The Transformer of "Attention Is All You Need": encoder and decoder layers, their stacks, and
``nn.Transformer`` that joins the two.

An encoder layer is self-attention then a position-wise feed-forward network, each wrapped in a
residual connection and a LayerNorm::

    post-norm (default):  x = norm1(x + SA(x));          x = norm2(x + FF(x))
    pre-norm (norm_first): x = x + SA(norm1(x));          x = x + FF(norm2(x))

    SA(x) = dropout1(self_attn(x, x, x))     FF(x) = dropout2(linear2(dropout(act(linear1(x)))))

A decoder layer adds, between the two, attention from the target to the encoder's output
(``memory``): ``MHA(x, memory) = dropout2(multihead_attn(x, memory, memory))``, with ``norm2``
around it and ``norm3`` around the feed-forward block.

The stacks (``TransformerEncoder``, ``TransformerDecoder``) hold ``num_layers`` independent deep
copies of one layer in ``layers`` and an optional final ``norm``. Parameter names follow torch's
(``layers.0.self_attn.in_proj_weight``, ``layers.0.linear1.weight``, ``norm.weight``, ...), so a
state dict saved from PyTorch loads here.

torch also has a fused inference "fast path" (batch-first, no gradients, nested tensors); its
results equal the ones computed here up to rounding, except that it leaves zeros at padded
positions of an encoder's output. glasstorch always computes the layers as written above.
"""

from __future__ import annotations

import copy
import warnings
from typing import Callable

import numpy as np

from ... import _array, _creation
from ..._tensor import Tensor
from .. import functional as F
from .. import init
from ..functional.attention import _canonical_mask
from .activation import GELU, ReLU
from .attention import MultiheadAttention
from .container import ModuleList
from .dropout import Dropout
from .linear import Linear
from .module import Module
from .normalization import LayerNorm


def _activation_from(activation):
    """``"relu"``/``"gelu"`` as the functions; a callable (function or module) as it is."""
    if isinstance(activation, str):
        if activation == "relu":
            return F.relu
        if activation == "gelu":
            return F.gelu
        raise RuntimeError(f"activation should be relu/gelu, not {activation}")
    return activation


def _square_subsequent_mask(size: int, device=None, dtype=None) -> Tensor:
    mask = _creation.full((size, size), float("-inf"), dtype=dtype, device=device)
    return mask.triu(diagonal=1)


def _sequence_length(x: Tensor, batch_first: bool) -> int:
    if x.dim() == 2:
        return x.shape[0]
    return x.shape[1 if batch_first else 0]


def _is_causal_mask(mask: Tensor | None, is_causal: bool | None, size: int | None) -> bool:
    """``is_causal`` when given; when ``None``, whether ``mask`` is exactly the square
    subsequent mask (``-inf`` above the diagonal, 0 elsewhere) of the sequence length."""
    if is_causal is not None or mask is None:
        return is_causal is True
    size = size if size is not None else mask.shape[-2]
    if tuple(mask.shape) != (size, size):
        return False
    causal = _array.like(mask._data, np.triu(np.full((size, size), -np.inf), 1))
    return bool((mask._data == causal).all())


class TransformerEncoderLayer(Module):
    """One encoder block: self-attention and a feed-forward network, each with a residual
    connection and LayerNorm (formulas in the module docstring).

    Args:
        d_model (int): the number of features of each position.
        nhead (int): attention heads (``d_model`` must be divisible by it).
        dim_feedforward (int): width of the feed-forward network's hidden layer (default 2048).
        dropout (float): dropout after attention, inside and after the feed-forward network,
            and on the attention weights (default 0.1).
        activation (str or callable): ``"relu"`` (default), ``"gelu"``, or any callable such as
            ``nn.GELU()`` or ``torch.tanh``.
        layer_norm_eps (float): the LayerNorms' eps (default 1e-5).
        batch_first (bool): inputs are ``(N, S, E)`` instead of ``(S, N, E)`` (default False).
        norm_first (bool): LayerNorm before attention and feed-forward (pre-norm) instead of
            after the residual sum (default False).
        bias (bool): biases in the linear layers, attention and LayerNorms (default True).

    Shape:
        - src: ``(S, N, E)``, ``(N, S, E)`` with ``batch_first``, or ``(S, E)`` unbatched.
        - src_mask: ``(S, S)`` or ``(N * nhead, S, S)``; src_key_padding_mask: ``(N, S)``
          (True / ``-inf`` = padding). Output: the shape of ``src``.

    Example::

        >>> layer = nn.TransformerEncoderLayer(d_model=16, nhead=4, batch_first=True)
        >>> layer(torch.randn(2, 10, 16)).shape
        torch.Size([2, 10, 16])
    """

    __constants__ = ["norm_first"]

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation: str | Callable = F.relu,
                 layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True, device=None, dtype=None) -> None:
        super().__init__()
        where = {"device": device, "dtype": dtype}
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias,
                                            batch_first=batch_first, **where)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, **where)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, **where)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **where)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **where)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        activation = _activation_from(activation)
        # torch's marker for its fused kernel: 1 relu, 2 gelu, 0 anything else
        if activation is F.relu or isinstance(activation, ReLU):
            self.activation_relu_or_gelu = 1
        elif activation is F.gelu or isinstance(activation, GELU):
            self.activation_relu_or_gelu = 2
        else:
            self.activation_relu_or_gelu = 0
        self.activation = activation

    def forward(self, src: Tensor, src_mask: Tensor | None = None,
                src_key_padding_mask: Tensor | None = None, is_causal: bool = False) -> Tensor:
        """The encoded sequence, the shape of ``src``."""
        src_key_padding_mask = _canonical_mask(
            src_key_padding_mask, "src_key_padding_mask",
            None if src_mask is None else src_mask.dtype, "src_mask", src.dtype)
        src_mask = _canonical_mask(src_mask, "src_mask", None, "", src.dtype, check_other=False)
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            x = x + self._ff_block(self.norm2(x))
        else:
            x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
            x = self.norm2(x + self._ff_block(x))
        return x

    def _sa_block(self, x: Tensor, attn_mask, key_padding_mask, is_causal: bool) -> Tensor:
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                           need_weights=False, is_causal=is_causal)[0]
        return self.dropout1(x)

    def _ff_block(self, x: Tensor) -> Tensor:
        return self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(x)))))


class TransformerDecoderLayer(Module):
    """One decoder block: masked self-attention, attention to the encoder's output
    (``memory``) and a feed-forward network, each with a residual connection and LayerNorm.

    Args: as ``TransformerEncoderLayer`` (``d_model``, ``nhead``, ``dim_feedforward``,
    ``dropout``, ``activation``, ``layer_norm_eps``, ``batch_first``, ``norm_first``, ``bias``).

    Shape:
        - tgt: ``(T, N, E)`` (``(N, T, E)`` batch first, ``(T, E)`` unbatched); memory:
          ``(S, N, E)``.
        - tgt_mask ``(T, T)``, memory_mask ``(T, S)``; tgt_key_padding_mask ``(N, T)``,
          memory_key_padding_mask ``(N, S)``. Output: the shape of ``tgt``.

    Example::

        >>> layer = nn.TransformerDecoderLayer(d_model=16, nhead=4)
        >>> memory, tgt = torch.randn(10, 2, 16), torch.randn(7, 2, 16)
        >>> mask = nn.Transformer.generate_square_subsequent_mask(7)
        >>> layer(tgt, memory, tgt_mask=mask).shape
        torch.Size([7, 2, 16])
    """

    __constants__ = ["norm_first"]

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation: str | Callable = F.relu,
                 layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True, device=None, dtype=None) -> None:
        super().__init__()
        where = {"device": device, "dtype": dtype}
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout,
                                            batch_first=batch_first, bias=bias, **where)
        self.multihead_attn = MultiheadAttention(d_model, nhead, dropout=dropout,
                                                 batch_first=batch_first, bias=bias, **where)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, **where)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, **where)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **where)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **where)
        self.norm3 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **where)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.dropout3 = Dropout(dropout)
        self.activation = _activation_from(activation)

    def forward(self, tgt: Tensor, memory: Tensor, tgt_mask: Tensor | None = None,
                memory_mask: Tensor | None = None, tgt_key_padding_mask: Tensor | None = None,
                memory_key_padding_mask: Tensor | None = None, tgt_is_causal: bool = False,
                memory_is_causal: bool = False) -> Tensor:
        """The decoded target sequence, the shape of ``tgt``."""
        x = tgt
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), tgt_mask, tgt_key_padding_mask, tgt_is_causal)
            x = x + self._mha_block(self.norm2(x), memory, memory_mask,
                                    memory_key_padding_mask, memory_is_causal)
            x = x + self._ff_block(self.norm3(x))
        else:
            x = self.norm1(x + self._sa_block(x, tgt_mask, tgt_key_padding_mask, tgt_is_causal))
            x = self.norm2(x + self._mha_block(x, memory, memory_mask, memory_key_padding_mask,
                                               memory_is_causal))
            x = self.norm3(x + self._ff_block(x))
        return x

    def _sa_block(self, x: Tensor, attn_mask, key_padding_mask, is_causal: bool) -> Tensor:
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                           is_causal=is_causal, need_weights=False)[0]
        return self.dropout1(x)

    def _mha_block(self, x: Tensor, memory: Tensor, attn_mask, key_padding_mask,
                   is_causal: bool) -> Tensor:
        x = self.multihead_attn(x, memory, memory, attn_mask=attn_mask,
                                key_padding_mask=key_padding_mask, is_causal=is_causal,
                                need_weights=False)[0]
        return self.dropout2(x)

    def _ff_block(self, x: Tensor) -> Tensor:
        return self.dropout3(self.linear2(self.dropout(self.activation(self.linear1(x)))))


def _clones(layer: Module, n: int) -> ModuleList:
    """``n`` independent deep copies of ``layer`` (each with its own parameters)."""
    return ModuleList([copy.deepcopy(layer) for _ in range(n)])


def _why_no_nested_tensor(layer) -> str:
    """torch's reason its nested-tensor fast path cannot be used with ``layer`` ('' if it can)."""
    name = "encoder_layer"
    if not isinstance(layer, TransformerEncoderLayer):
        return f"{name} was not TransformerEncoderLayer"
    if layer.norm_first:
        return f"{name}.norm_first was True"
    if not layer.self_attn.batch_first:
        return (f"{name}.self_attn.batch_first was not True(use batch_first for better inference "
                "performance)")
    if not layer.self_attn._qkv_same_embed_dim:
        return f"{name}.self_attn._qkv_same_embed_dim was not True"
    if layer.self_attn.in_proj_bias is None:
        return f"{name}.self_attn was passed bias=False"
    if not layer.activation_relu_or_gelu:
        return f"{name}.activation_relu_or_gelu was not True"
    if layer.norm1.eps != layer.norm2.eps:
        return f"{name}.norm1.eps was not equal to {name}.norm2.eps"
    if layer.self_attn.num_heads % 2 == 1:
        return f"{name}.self_attn.num_heads is odd"
    return ""


class TransformerEncoder(Module):
    """A stack of ``num_layers`` encoder layers (deep copies of ``encoder_layer``), then an
    optional ``norm``.

    Args:
        encoder_layer: a ``TransformerEncoderLayer`` to copy (it is not itself used).
        num_layers (int): how many copies.
        norm (Module, optional): applied to the last layer's output (e.g. a ``LayerNorm``).
        enable_nested_tensor (bool): torch's switch for its nested-tensor inference fast path;
            kept for compatibility (glasstorch has no such path), with torch's warning when the
            layer could not use it anyway.
        mask_check (bool): kept for compatibility with torch's fast path.

    Forward: ``encoder(src, mask=None, src_key_padding_mask=None, is_causal=None)``; shapes as
    ``TransformerEncoderLayer``. With ``is_causal=None`` a ``mask`` equal to the causal mask is
    recognised as one.

    Example::

        >>> layer = nn.TransformerEncoderLayer(d_model=16, nhead=4)
        >>> encoder = nn.TransformerEncoder(layer, num_layers=3)
        >>> encoder(torch.randn(10, 2, 16)).shape
        torch.Size([10, 2, 16])
    """

    __constants__ = ["norm"]

    def __init__(self, encoder_layer: TransformerEncoderLayer, num_layers: int,
                 norm: Module | None = None, enable_nested_tensor: bool = True,
                 mask_check: bool = True) -> None:
        super().__init__()
        self.layers = _clones(encoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm
        self.enable_nested_tensor = enable_nested_tensor
        self.use_nested_tensor = enable_nested_tensor
        self.mask_check = mask_check
        why_not = _why_no_nested_tensor(encoder_layer)
        if enable_nested_tensor and why_not:
            warnings.warn(f"enable_nested_tensor is True, but self.use_nested_tensor is False "
                          f"because {why_not}", UserWarning, stacklevel=2)
            self.use_nested_tensor = False

    def forward(self, src: Tensor, mask: Tensor | None = None,
                src_key_padding_mask: Tensor | None = None,
                is_causal: bool | None = None) -> Tensor:
        """``src`` through every layer, then ``norm``."""
        src_key_padding_mask = _canonical_mask(
            src_key_padding_mask, "src_key_padding_mask",
            None if mask is None else mask.dtype, "mask", src.dtype)
        mask = _canonical_mask(mask, "mask", None, "", src.dtype, check_other=False)
        batch_first = self.layers[0].self_attn.batch_first
        is_causal = _is_causal_mask(mask, is_causal, _sequence_length(src, batch_first))
        output = src
        for layer in self.layers:
            output = layer(output, src_mask=mask, is_causal=is_causal,
                           src_key_padding_mask=src_key_padding_mask)
        if self.norm is not None:
            output = self.norm(output)
        return output


class TransformerDecoder(Module):
    """A stack of ``num_layers`` decoder layers (deep copies of ``decoder_layer``), then an
    optional ``norm``.

    Forward: ``decoder(tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
    memory_key_padding_mask=None, tgt_is_causal=None, memory_is_causal=False)``; shapes as
    ``TransformerDecoderLayer``.

    Example::

        >>> layer = nn.TransformerDecoderLayer(d_model=16, nhead=4)
        >>> decoder = nn.TransformerDecoder(layer, num_layers=2)
        >>> decoder(torch.randn(7, 2, 16), torch.randn(10, 2, 16)).shape
        torch.Size([7, 2, 16])
    """

    __constants__ = ["norm"]

    def __init__(self, decoder_layer: TransformerDecoderLayer, num_layers: int,
                 norm: Module | None = None) -> None:
        super().__init__()
        self.layers = _clones(decoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm

    def forward(self, tgt: Tensor, memory: Tensor, tgt_mask: Tensor | None = None,
                memory_mask: Tensor | None = None, tgt_key_padding_mask: Tensor | None = None,
                memory_key_padding_mask: Tensor | None = None,
                tgt_is_causal: bool | None = None, memory_is_causal: bool = False) -> Tensor:
        """``tgt`` through every layer (each attending to ``memory``), then ``norm``."""
        batch_first = self.layers[0].self_attn.batch_first
        tgt_is_causal = _is_causal_mask(tgt_mask, tgt_is_causal,
                                        _sequence_length(tgt, batch_first))
        output = tgt
        for layer in self.layers:
            output = layer(output, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                           tgt_key_padding_mask=tgt_key_padding_mask,
                           memory_key_padding_mask=memory_key_padding_mask,
                           tgt_is_causal=tgt_is_causal, memory_is_causal=memory_is_causal)
        if self.norm is not None:
            output = self.norm(output)
        return output


class Transformer(Module):
    """The encoder-decoder Transformer: ``decoder(tgt, encoder(src))``.

    Args:
        d_model (int): features per position (default 512).
        nhead (int): attention heads (default 8).
        num_encoder_layers, num_decoder_layers (int): depth of each stack (default 6 each).
        dim_feedforward (int): feed-forward hidden width (default 2048).
        dropout (float): default 0.1. activation: ``"relu"`` (default), ``"gelu"`` or a
            callable.
        custom_encoder, custom_decoder (Module, optional): used instead of the stacks built here.
        layer_norm_eps, batch_first, norm_first, bias: as ``TransformerEncoderLayer``.

    Each stack ends with a ``LayerNorm``; every parameter with more than one dimension is
    re-initialised Xavier-uniform.

    Shape:
        - src ``(S, N, E)``, tgt ``(T, N, E)`` (batch first: ``(N, S, E)``, ``(N, T, E)``;
          unbatched: ``(S, E)``, ``(T, E)``); output: the shape of ``tgt``.
        - src_mask ``(S, S)``, tgt_mask ``(T, T)``, memory_mask ``(T, S)``; the key padding
          masks ``(N, S)``, ``(N, T)``, ``(N, S)``.

    Example::

        >>> model = nn.Transformer(d_model=16, nhead=4, num_encoder_layers=2,
        ...                        num_decoder_layers=2, dim_feedforward=32)
        >>> src, tgt = torch.randn(10, 2, 16), torch.randn(7, 2, 16)
        >>> mask = model.generate_square_subsequent_mask(7)
        >>> model(src, tgt, tgt_mask=mask).shape
        torch.Size([7, 2, 16])
    """

    def __init__(self, d_model: int = 512, nhead: int = 8, num_encoder_layers: int = 6,
                 num_decoder_layers: int = 6, dim_feedforward: int = 2048, dropout: float = 0.1,
                 activation: str | Callable = F.relu, custom_encoder: Module | None = None,
                 custom_decoder: Module | None = None, layer_norm_eps: float = 1e-5,
                 batch_first: bool = False, norm_first: bool = False, bias: bool = True,
                 device=None, dtype=None) -> None:
        super().__init__()
        where = {"device": device, "dtype": dtype}
        layer_args = (d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps,
                      batch_first, norm_first, bias)
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            self.encoder = TransformerEncoder(
                TransformerEncoderLayer(*layer_args, **where), num_encoder_layers,
                LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **where))
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            self.decoder = TransformerDecoder(
                TransformerDecoderLayer(*layer_args, **where), num_decoder_layers,
                LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **where))
        self._reset_parameters()
        self.d_model = d_model
        self.nhead = nhead
        self.batch_first = batch_first

    def forward(self, src: Tensor, tgt: Tensor, src_mask: Tensor | None = None,
                tgt_mask: Tensor | None = None, memory_mask: Tensor | None = None,
                src_key_padding_mask: Tensor | None = None,
                tgt_key_padding_mask: Tensor | None = None,
                memory_key_padding_mask: Tensor | None = None,
                src_is_causal: bool | None = None, tgt_is_causal: bool | None = None,
                memory_is_causal: bool = False) -> Tensor:
        """The decoder's output for ``tgt`` given the encoded ``src``, the shape of ``tgt``."""
        batched = src.dim() == 3
        batch_dim = 0 if self.batch_first else 1
        if batched and src.shape[batch_dim] != tgt.shape[batch_dim]:
            raise RuntimeError("the batch number of src and tgt must be equal")
        if src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
            raise RuntimeError("the feature number of src and tgt must be equal to d_model")
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask,
                              is_causal=src_is_causal)
        return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                            tgt_key_padding_mask=tgt_key_padding_mask,
                            memory_key_padding_mask=memory_key_padding_mask,
                            tgt_is_causal=tgt_is_causal, memory_is_causal=memory_is_causal)

    @staticmethod
    def generate_square_subsequent_mask(sz: int, device=None, dtype=None) -> Tensor:
        """The causal mask ``(sz, sz)``: 0 on and below the diagonal, ``-inf`` above, so
        position ``i`` attends to positions ``0..i`` only.

            >>> nn.Transformer.generate_square_subsequent_mask(3)
            tensor([[0., -inf, -inf],
                    [0., 0., -inf],
                    [0., 0., 0.]])
        """
        return _square_subsequent_mask(sz, device=device, dtype=dtype)

    def _reset_parameters(self) -> None:
        """Xavier-uniform for every parameter with more than one dimension."""
        for p in self.parameters():
            if p.dim() > 1:
                init.xavier_uniform_(p)


__all__ = ["Transformer", "TransformerEncoder", "TransformerDecoder", "TransformerEncoderLayer",
           "TransformerDecoderLayer"]
