"""Image resampling in NumPy: the weights of bilinear resizing, as matrices.

Resizing one axis from ``n_in`` to ``n_out`` samples is a matrix product: output sample ``i`` is
a weighted sum of input samples, ``out = W @ in`` with ``W`` of shape ``(n_out, n_in)``. A 2-D
resize is one such product per axis: ``W_h @ image @ W_w.T`` (for a batch, ``image`` is
``(..., H, W)`` and NumPy broadcasts the products over the leading dimensions).

The bilinear ("triangle") filter with antialiasing: output sample ``i`` sits at input position
``c = (i + 0.5) * scale`` with ``scale = n_in / n_out``. When shrinking (``scale > 1``) the
triangle is stretched to ``scale`` input samples on each side, so every input sample contributes
(this is the antialiasing; without it, shrinking skips samples and aliases). When enlarging, it
is the usual linear interpolation between the two nearest samples. Each row of weights is
normalised to sum to 1. PIL and ``torch.nn.functional.interpolate(..., antialias=True)`` both
use this scheme; they differ in arithmetic:

- ``resize_uint8_like_pil``: PIL on 8-bit images turns the weights into 22-bit fixed-point
  integers, rounds and clips to 0..255 after each axis's pass (see ``pil_pass_order``).
  Reproduced exactly (float64 sums of integer products below 2**53 are exact).
- ``resize_float``: floating point in the image's own dtype, as torch's ``interpolate``.
"""

from __future__ import annotations

import functools

import numpy as np

_PRECISION_BITS = 22  # PIL: 32 bits - 8 bits of pixel - 2 bits of headroom


def bilinear_weights(n_in: int, n_out: int, antialias: bool = True) -> np.ndarray:
    """The ``(n_out, n_in)`` float64 matrix of a bilinear resize along one axis.

    ``antialias=False`` is ``interpolate(mode='bilinear', align_corners=False)`` without
    antialiasing: always the two nearest samples, however much the axis shrinks.
    """
    scale = n_in / n_out
    centers = (np.arange(n_out) + 0.5) * scale
    weights = np.zeros((n_out, n_in))
    if not antialias:
        src = np.maximum(centers - 0.5, 0.0)
        left = src.astype(np.intp)
        right = np.minimum(left + 1, n_in - 1)
        frac = src - left
        rows = np.arange(n_out)
        weights[rows, left] += 1.0 - frac
        weights[rows, right] += frac
        return weights
    stretch = max(scale, 1.0)           # the filter's half-width, in input samples
    first = np.maximum(np.trunc(centers - stretch + 0.5), 0).astype(np.intp)
    stop = np.minimum(np.trunc(centers + stretch + 0.5), n_in).astype(np.intp)
    positions = np.arange(n_in)
    inside = (positions >= first[:, None]) & (positions < stop[:, None])
    distance = np.abs((positions[None, :] - centers[:, None] + 0.5) / stretch)
    weights = np.where(inside, np.maximum(1.0 - distance, 0.0), 0.0)
    totals = weights.sum(axis=1, keepdims=True)
    return np.divide(weights, totals, out=weights, where=totals != 0)


def nearest_indices(n_in: int, n_out: int) -> np.ndarray:
    """Input index of each output sample for ``interpolate(mode='nearest')``: floor(i·scale)."""
    return np.minimum(np.floor(np.arange(n_out) * (n_in / n_out)).astype(np.intp), n_in - 1)


def _fixed_point(weights: np.ndarray) -> np.ndarray:
    """PIL's 8-bit coefficients: each weight × 2**22, rounded half away from zero."""
    scaled = weights * (1 << _PRECISION_BITS)
    return np.trunc(scaled + np.where(scaled < 0, -0.5, 0.5))


def _pil_pass(pixels: np.ndarray, coeffs: np.ndarray, axis: int) -> np.ndarray:
    """One axis (-1: width, -2: height) of PIL's 8-bit resize: sum, round, shift, clip."""
    if axis == -1:  # one BLAS product over all rows: (..., W) @ (W, w)
        acc = (pixels.reshape(-1, pixels.shape[-1]) @ coeffs.T).reshape(*pixels.shape[:-1], -1)
    else:           # (h, H) @ (..., H, w), broadcast over the leading axes
        acc = np.matmul(coeffs, pixels)
    acc += 1 << (_PRECISION_BITS - 1)
    acc *= 1.0 / (1 << _PRECISION_BITS)  # a power of two: exact
    np.floor(acc, out=acc)
    return np.clip(acc, 0, 255, out=acc)


@functools.lru_cache(maxsize=64)
def _pil_coeffs(n_in: int, n_out: int) -> np.ndarray:
    return _fixed_point(bilinear_weights(n_in, n_out))


def pil_pass_order(h_in: int, w_in: int, h: int, w: int) -> str | None:
    """Which axis PIL resamples first (``"w"`` or ``"h"``), or None where it is not known here.

    The two passes are each rounded to 8 bits, so their order changes the result. Observed on
    Pillow: enlarging the height → width first; shrinking the height while enlarging the width →
    height first; shrinking a square to a square → width first. Other shrink-both cases (even
    at equal factors: 22×8 → 11×4 goes height first) are left to PIL itself.
    """
    if h == h_in or w == w_in or h > h_in:
        return "w"
    if w > w_in:
        return "h"
    return "w" if h_in == w_in and h == w else None


def resize_uint8_like_pil(images: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Bilinear resize of uint8 ``(..., H, W)`` images to ``size = (h, w)``, bit-exact to PIL's
    ``Image.resize(..., Image.BILINEAR)`` on mode ``'L'`` images."""
    h_in, w_in = images.shape[-2:]
    h, w = size
    out = images.astype(np.float64)
    first = pil_pass_order(h_in, w_in, h, w)
    if first is None:
        raise ValueError(f"resize_uint8_like_pil: PIL's pass order for {(h_in, w_in)} -> "
                         f"{(h, w)} is not known here; resize with PIL itself")
    for axis in ("w", "h") if first == "w" else ("h", "w"):
        if axis == "w" and w != w_in:
            out = _pil_pass(out, _pil_coeffs(w_in, w), -1)
        elif axis == "h" and h != h_in:
            out = _pil_pass(out, _pil_coeffs(h_in, h), -2)
    return np.ascontiguousarray(out, dtype=np.uint8)


def resize_float(images: np.ndarray, size: tuple[int, int], antialias: bool = True,
                 mode: str = "bilinear") -> np.ndarray:
    """Resize ``(..., H, W)`` images as ``torch.nn.functional.interpolate`` does.

    Float images are computed in their own dtype; integer images in float32, then rounded
    (half to even, as ``torch.round``) and cast back, as torchvision does for tensors.
    """
    h_in, w_in = images.shape[-2:]
    h, w = size
    out_dtype = images.dtype
    work = images if images.dtype.kind == "f" else images.astype(np.float32)
    if mode == "nearest":
        out = work[..., nearest_indices(h_in, h)[:, None], nearest_indices(w_in, w)[None, :]]
    else:
        weights_h = bilinear_weights(h_in, h, antialias).astype(work.dtype)
        weights_w = bilinear_weights(w_in, w, antialias).astype(work.dtype)
        out = weights_h @ work @ weights_w.T
    if out_dtype.kind != "f":
        if mode != "nearest":
            out = np.rint(out)
            if out_dtype == np.uint8:
                out = np.clip(out, 0, 255)
        out = out.astype(out_dtype)
    return np.ascontiguousarray(out)
