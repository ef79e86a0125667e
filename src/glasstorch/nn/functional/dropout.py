"""Dropout: zero each element with probability ``p`` while training, scale the rest by
``1 / (1 - p)``; the feature (channel) forms and alpha dropout.

The masks are drawn on the host from the default generator (``glasstorch.random``), also for a
tensor on a GPU, and moved to its device (``_array.like``): ``manual_seed`` then gives the same
masks on every device (see ``glasstorch.cuda``)."""

from __future__ import annotations

import warnings

import numpy as np

from ... import _array
from ..._dtype import scalar_name
from ..._errors import not_tensor
from ..._tensor import Tensor, _wrap
from ...random import numpy_rng


# ---- dropout -----------------------------------------------------------------------------------
def _check_p(p: float) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _keep_mask(shape: tuple, p: float, dtype: np.dtype) -> np.ndarray:
    """A mask of 0 (prob p) and 1/(1-p) (prob 1-p), from the default generator (so that
    ``manual_seed`` reproduces it). Scaling the kept entries keeps the expected value unchanged."""
    if p == 1.0:
        return np.zeros(shape, dtype)
    u = numpy_rng(None).random(shape, dtype=np.float64 if dtype == np.float64 else np.float32)
    # bool * scalar: ~20x cheaper than np.where(mask, scale, 0) with scalar branches
    return (u >= p) * dtype.type(1.0 / (1.0 - p))


def _apply_mask(input: Tensor, mask: np.ndarray, inplace: bool) -> Tensor:
    m = _wrap(_array.like(input._data, mask))
    return input.mul_(m) if inplace else input * m


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by ``1/(1-p)`` (training only).

    In evaluation (``training=False``), with ``p=0`` or on an empty input, the input itself is
    returned (as torch does: no node, so a leaf stays a leaf). The mask comes from the default
    generator: ``glasstorch.manual_seed`` makes it reproducible.
    """
    _check_p(p)
    if not isinstance(input, Tensor):
        raise not_tensor("dropout", input)
    x = input._data
    if not training or p == 0.0 or not x.size:
        return input
    if x.dtype.kind != "f":
        raise RuntimeError(
            f"result type Float can't be cast to the desired output type "
            f"{scalar_name(x)}"
        )
    return _apply_mask(input, _keep_mask(x.shape, p, x.dtype), inplace)


def _per_channel(input: Tensor, p: float, training: bool, inplace: bool, drop) -> Tensor:
    """Dropout of whole channels of an ``(N, C, *)`` input: ``drop(input, shape, inplace)``
    draws one value per (sample, channel), ``shape = (N, C, 1, ...)``, broadcast over the other
    dimensions. In evaluation, with ``p=0`` or on an empty input, the input itself; with ``p=1``
    zeros."""
    x = input._data
    if not training or p == 0.0 or not x.size:
        return input
    if p == 1.0:
        return _apply_mask(input, np.zeros((), x.dtype), inplace)
    if x.ndim < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    return drop(input, x.shape[:2] + (1,) * (x.ndim - 2), inplace)


def _feature_dropout(input: Tensor, p: float, training: bool, inplace: bool) -> Tensor:
    """Drop whole channels; the kept channels are scaled by ``1/(1-p)``."""
    def drop(x, shape, inplace):
        return _apply_mask(x, _keep_mask(shape, p, x._data.dtype), inplace)

    return _per_channel(input, p, training, inplace, drop)


def _unbatched(input: Tensor, p, training, inplace) -> Tensor:
    """Channel dropout of an input without its batch dimension: as torch, a batch of one is made
    (``unsqueeze(0)``), dropped, and taken away again (``squeeze(0)``; in place with
    ``inplace``), so even in evaluation the result is a view of the input."""
    x = input.unsqueeze_(0) if inplace else input.unsqueeze(0)
    res = _feature_dropout(x, p, training, inplace)
    return res.squeeze_(0) if inplace else res.squeeze(0)


def _warn_dims(name: str, ndim: int, want: tuple, spatial: int) -> None:
    warnings.warn(
        f"{name}: Received a {ndim}-D input to {name}, which is deprecated and will result in an "
        f"error in a future release. To retain the behavior and silence this warning, please use "
        f"dropout instead. Note that {name} exists to provide channel-wise dropout on inputs "
        f"with {spatial} spatial dimensions, a channel dimension, and an optional batch dimension "
        f"(i.e. {want[0]}D or {want[1]}D inputs).", stacklevel=3)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Channel dropout for (N, C, L) or (C, L): zero whole channels with probability ``p``."""
    _check_p(p)
    nd = input._data.ndim
    if nd not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {nd}D input. Note that "
            "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, "
            "a channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).")
    if nd == 2:
        return _unbatched(input, p, training, inplace)
    return _feature_dropout(input, p, training, inplace)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Channel dropout for (N, C, H, W): zero whole feature maps with probability ``p``.

    As torch (for now), a 3-D input is read as (N, C, L), not as an unbatched (C, H, W): each
    row of its first dimension draws its own channels (with a warning); other ranks warn too."""
    _check_p(p)
    nd = input._data.ndim
    if nd not in (3, 4):
        _warn_dims("dropout2d", nd, (3, 4), 2)
    if nd == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C is the "
            "channel dim. This behavior will change in a future release to interpret the input as "
            "one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise "
            "dropout behavior, please switch to using dropout1d instead.", stacklevel=2)
    return _feature_dropout(input, p, training, inplace)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Channel dropout for (N, C, D, H, W) or (C, D, H, W): zero whole 3-D feature maps with
    probability ``p`` (any other rank warns and is read as unbatched)."""
    _check_p(p)
    nd = input._data.ndim
    if nd not in (4, 5):
        _warn_dims("dropout3d", nd, (4, 5), 3)
    if nd != 5:
        return _unbatched(input, p, training, inplace)
    return _feature_dropout(input, p, training, inplace)


def _alpha_noise(shape: tuple, p: float, dtype: np.dtype):
    """``(scale, shift)`` arrays of ``shape`` for alpha dropout: a dropped entry becomes SELU's
    negative saturation value, and the affine correction ``a``, ``b`` keeps mean 0 and variance
    1 of a standard input."""
    alpha = -1.7580993408473766  # -selu_scale * selu_alpha: where SELU saturates
    keep = 1.0 - p
    a = (keep + alpha * alpha * keep * p) ** -0.5
    b = -a * alpha * p
    kept = (numpy_rng(None).random(shape) >= p).astype(dtype)
    return kept * dtype.type(a), ((1 - kept) * alpha * a + b).astype(dtype)


def _alpha(input: Tensor, scale, shift, inplace: bool) -> Tensor:
    scale, shift = _array.like(input._data, scale), _array.like(input._data, shift)
    if inplace:
        return input.mul_(_wrap(scale)).add_(_wrap(shift))
    return input * _wrap(scale) + _wrap(shift)


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                  inplace: bool = False) -> Tensor:
    """Dropout for SELU networks: dropped entries take SELU's negative saturation value and an
    affine correction keeps mean 0 and variance 1."""
    _check_p(p)
    x = input._data
    if not training or p == 0.0 or not x.size:
        return input
    if p == 1.0:
        return _apply_mask(input, np.zeros(x.shape, x.dtype), inplace)
    return _alpha(input, *_alpha_noise(x.shape, p, x.dtype), inplace)


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                          inplace: bool = False) -> Tensor:
    """Alpha dropout of whole channels of an ``(N, C, *)`` input: one draw per (sample,
    channel), broadcast over the other dimensions (see ``alpha_dropout``)."""
    _check_p(p)

    def drop(x, shape, inplace):
        return _alpha(x, *_alpha_noise(shape, p, x._data.dtype), inplace)

    return _per_channel(input, p, training, inplace, drop)


__all__ = ["dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout",
           "feature_alpha_dropout"]
