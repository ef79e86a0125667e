"""Resampling as functions: ``interpolate`` (``upsample`` and friends are its older names).

``interpolate`` resizes the spatial dimensions of ``(N, C, *spatial)``. Each output position
``i`` along a dimension of input size ``n`` and output size ``o`` reads from a source coordinate:

- ``'nearest'``: ``floor(i * scale)`` with ``scale = n / o`` (or ``1 / scale_factor`` when a
  scale factor was given and not recomputed) — torch's legacy rule, which shifts the image;
- ``'nearest-exact'``: ``floor((i + 0.5) * scale)``, the centre of the output pixel;
- ``'linear'`` / ``'bilinear'`` / ``'trilinear'``: with ``align_corners=False`` the pixel
  centres line up, ``src = max(scale * (i + 0.5) - 0.5, 0)``; with ``align_corners=True`` the
  corner pixels do, ``src = i * (n - 1) / (o - 1)``. The output mixes the two neighbours
  ``floor(src)`` and the next one, weighted by the distance;
- ``'bicubic'``: the same coordinates (not clamped at 0), four neighbours weighted by a cubic;
- ``antialias=True`` (bilinear, bicubic): when shrinking, the filter widens with the scale so
  every input pixel counts (as PIL resizes);
- ``'area'``: adaptive average pooling.

All of these are separable: one gather (``np.take``) per dimension for nearest, two, four or
more weighted gathers for the others, so the work is proportional to the output size. The
coordinates are computed in the input's floating type (``float32`` for ``float32``), as torch
does, so the same source pixels are picked. Backward is the adjoint: each output gradient is
added back to the input positions it was read from, with the same weights.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from ... import _array
from ..._errors import not_implemented_for, not_tensor
from ..._tensor import Tensor
from ._windows import LinearMapBackward, linear_op, take_adjoint
from .pooling_adaptive import adaptive_avg_pool1d, adaptive_avg_pool2d

_DIMS_OF = {"linear": 3, "bilinear": 4, "trilinear": 5}
_NODE_PREFIX = {"nearest": "UpsampleNearest", "nearest-exact": "UpsampleNearestExact",
                "linear": "UpsampleLinear", "bilinear": "UpsampleBilinear",
                "trilinear": "UpsampleTrilinear", "bicubic": "UpsampleBicubic"}
# torch's grad_fn names: UpsampleNearest2DBackward0, UpsampleBilinear2DBackwardBackward0, ...
# made here from one pattern, as they differ only in their names
_NODES = {
    f"{prefix}{k}D{suffix}": type(f"{prefix}{k}D{suffix}", (LinearMapBackward,), {
        "__doc__": "Backward of a resampling: add each output gradient back to the input "
                   "positions it was read from, with the same weights."})
    for prefix in _NODE_PREFIX.values() for k in (1, 2, 3)
    for suffix in ("Backward0", "BackwardBackward0", "AaBackward0", "AaBackwardBackward0")
}


# ---- where each output position reads from ----------------------------------------------------
def _scale(n: int, o: int, scale_factor, ftype) -> np.floating:
    """Input positions per output position: ``1 / scale_factor`` if one was given, else n / o."""
    if scale_factor is not None and scale_factor > 0:
        return ftype(1.0 / scale_factor)
    return ftype(n) / ftype(o)


def _nearest_index(n: int, o: int, scale_factor, exact: bool) -> np.ndarray:
    f32 = np.float32  # torch computes nearest coordinates in float32 for every dtype
    i = np.arange(o, dtype=f32) + (f32(0.5) if exact else f32(0))
    src = np.floor(i * _scale(n, o, scale_factor, f32)).astype(np.int64)
    return np.minimum(src, n - 1)


def _linear_weights(n: int, o: int, scale_factor, align_corners: bool, ftype):
    """The two neighbours ``i0``, ``i1`` of each output position and their weights."""
    i = np.arange(o, dtype=ftype)
    if align_corners:
        scale = ftype(n - 1) / ftype(o - 1) if o > 1 else ftype(0)
        src = scale * i
    else:
        src = np.maximum(_scale(n, o, scale_factor, ftype) * (i + ftype(0.5)) - ftype(0.5),
                         ftype(0))
    i0 = np.minimum(np.floor(src), ftype(n - 1))
    lam = np.clip(src - i0, ftype(0), ftype(1))
    i0 = i0.astype(np.int64)
    i1 = i0 + (i0 < n - 1)
    return i0, i1, ftype(1) - lam, lam


def _cubic_weights(n: int, o: int, scale_factor, align_corners: bool, ftype):
    """Bicubic: the four neighbours ``floor(src) - 1 .. floor(src) + 2`` (clamped to the edge) of
    each output position, weighted by Keys' cubic convolution kernel with ``a = -0.75``."""
    i = np.arange(o, dtype=ftype)
    if align_corners:
        src = (ftype(n - 1) / ftype(o - 1) if o > 1 else ftype(0)) * i
    else:  # (no clamping at 0 here, unlike the linear modes)
        src = _scale(n, o, scale_factor, ftype) * (i + ftype(0.5)) - ftype(0.5)
    i0 = np.minimum(np.floor(src), ftype(n - 1))
    t = np.clip(src - i0, ftype(0), ftype(1))
    a = ftype(-0.75)

    def near(d):  # the kernel for distances 0..1
        return ((a + 2) * d - (a + 3)) * d * d + 1

    def far(d):  # the kernel for distances 1..2
        return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a

    weights = (far(t + 1), near(t), near(1 - t), far(2 - t))
    i0 = i0.astype(np.int64)
    return [(np.clip(i0 - 1 + j, 0, n - 1), w) for j, w in enumerate(weights)]


def _antialias_weights(n: int, o: int, scale_factor, align_corners: bool, taps: int, ftype):
    """Antialiased resampling (as PIL): when shrinking, the filter (triangle for bilinear, cubic
    with ``a = -0.5`` for bicubic) is stretched by the scale, so each output averages all the
    input pixels it covers; weights are normalised to sum to 1."""
    if align_corners:
        scale = ftype(n - 1) / ftype(o - 1) if o > 1 else ftype(0)
    else:
        scale = _scale(n, o, scale_factor, ftype)
    support = ftype(taps * 0.5) * (scale if scale >= 1 else ftype(1))
    invscale = ftype(1) / scale if scale >= 1 else ftype(1)
    center = scale * (np.arange(o, dtype=ftype) + ftype(0.5))
    lo = np.maximum((center - support + ftype(0.5)).astype(np.int64), 0)
    size = np.minimum((center + support + ftype(0.5)).astype(np.int64), n) - lo
    j = np.arange(int(size.max()))
    d = np.abs((j + lo[:, None] - center[:, None] + ftype(0.5)) * invscale).astype(ftype)
    if taps == 2:
        w = np.maximum(ftype(1) - d, ftype(0))
    else:
        a = ftype(-0.5)
        w = np.where(d < 1, ((a + 2) * d - (a + 3)) * d * d + 1,
                     np.where(d < 2, ((d - 5) * d + 8) * d * a - 4 * a, ftype(0)))
    w = np.where(j < size[:, None], w, ftype(0)).astype(ftype)
    total = w.sum(1, keepdims=True)
    w = np.where(total != 0, w / np.where(total != 0, total, ftype(1)), w)
    idx = np.minimum(lo[:, None] + j, n - 1)
    return [(idx[:, k], w[:, k]) for k in range(len(j))]


def _along(w: np.ndarray, ndim: int, axis: int) -> np.ndarray:
    """Weights of one axis shaped to broadcast against an ``ndim`` array."""
    return w.reshape((-1,) + (1,) * (ndim - 1 - axis))


def _resample(input: Tensor, out: list, scales: list | None, mode: str,
              align_corners: bool, antialias: bool = False) -> Tensor:
    x = input._data
    nd = x.ndim - 2
    steps = []  # (axis, n, gathers, gathers of backward): a gather is (index, weights or None)
    for d in range(nd - 1, -1, -1):  # the last dimension first, as torch's kernels combine
        axis, n, o = 2 + d, x.shape[2 + d], out[d]
        s = scales[d] if scales is not None else None
        if mode in ("nearest", "nearest-exact"):
            idx = back = _nearest_index(n, o, s, mode == "nearest-exact")
            if mode == "nearest" and o in (n, 2 * n):
                # torch's kernels take a shortcut for the same or double size: output i reads
                # input i (or i // 2) even when a scale_factor such as 1.1 says otherwise. Its
                # backward always does; its forward only for 2-d inputs. Matched here.
                back = np.arange(o) if o == n else np.arange(o) >> 1
                idx = back if nd == 2 else idx
            if o != n or (idx != np.arange(n)).any() or (back != np.arange(n)).any():
                steps.append((axis, n, [(idx, None)], [(back, None)]))
        elif antialias:
            ftype = np.float64 if x.dtype == np.float64 else np.float32
            taps = 2 if mode == "bilinear" else 4
            gathers = [(idx, w.astype(x.dtype)) for idx, w in
                       _antialias_weights(n, o, s, align_corners, taps, ftype)]
            steps.append((axis, n, gathers, gathers))
        elif mode == "bicubic":
            ftype = np.float64 if x.dtype == np.float64 else np.float32
            gathers = [(idx, w.astype(x.dtype))
                       for idx, w in _cubic_weights(n, o, s, align_corners, ftype)]
            # torch's backward copies the gradient where the size is unchanged (its forward
            # still resamples by the scale_factor): matched
            back = [(np.arange(n), None)] if o == n else gathers
            steps.append((axis, n, gathers, back))
        elif o != n:  # (linear: torch copies a dimension whose size does not change)
            ftype = np.float64 if x.dtype == np.float64 else np.float32
            i0, i1, w0, w1 = _linear_weights(n, o, s, align_corners, ftype)
            gathers = [(i0, w0.astype(x.dtype)), (i1, w1.astype(x.dtype))]
            steps.append((axis, n, gathers, gathers))
    if not _array.on_host(x):
        # the indices and weights are made on the host: the gathers read them on x's device
        # (the adjoint's indices stay on the host, where take_adjoint plans its slices)
        def on(a):
            return None if a is None else _array.like(x, a)

        steps = [(axis, n, [(on(i), on(w)) for i, w in fwd], [(i, on(w)) for i, w in back])
                 for axis, n, fwd, back in steps]

    def fn(a: np.ndarray) -> np.ndarray:
        for axis, _, gathers, _ in steps:
            parts = [np.take(a, idx, axis) if w is None else np.take(a, idx, axis)
                     * _along(w, a.ndim, axis) for idx, w in gathers]
            a = parts[0]
            for part in parts[1:]:
                a = a + part
        return a if steps else a.copy()

    def adjoint(g: np.ndarray) -> np.ndarray:
        for axis, n, _, gathers in reversed(steps):
            parts = [take_adjoint(g if w is None else g * _along(w, g.ndim, axis), idx, n, axis)
                     for idx, w in gathers]
            g = parts[0]
            for part in parts[1:]:
                g = g + part
        return g if steps else g.copy()

    name = f"{_NODE_PREFIX[mode]}{nd}D" + ("Aa" if antialias else "")
    return linear_op(input, fn, adjoint, _NODES[name + "Backward0"],
                     _NODES[name + "BackwardBackward0"])


def _check_kernel(x: np.ndarray, out: list, mode: str) -> None:
    """torch's checks inside the resampling kernels: sizes, empty channels, dtype."""
    nd = x.ndim - 2
    names = "DHW"[3 - nd:]
    if min(x.shape[2:]) <= 0 or min(out) <= 0:
        ins = ", ".join(f"{c}: {v}" for c, v in zip(names, x.shape[2:]))
        outs = ", ".join(f"{c}: {v}" for c, v in zip(names, out))
        joint = " and output" if nd == 1 else " output"
        raise RuntimeError(
            f"Input and output sizes should be greater than 0, but got input ({ins}){joint} "
            f"({outs})"
        )
    if 0 in x.shape[1:]:
        raise RuntimeError(
            f"Non-empty {x.ndim}D data tensor expected but got a tensor with sizes {list(x.shape)}"
        )
    nearest = mode.startswith("nearest")
    if x.dtype.kind == "f" or (nearest and x.dtype == np.uint8):
        return
    if x.dtype == np.uint8:
        raise NotImplementedError(
            f"glasstorch: {mode} interpolation of uint8 images is not implemented; convert the "
            "image to float first (x.float())"
        )
    kind = "nearest" if nearest else "linear"
    kernel = (f"compute_indices_weights_{kind}" if nd == 1 else
              f"upsample_{'nearest' if nearest else mode}{nd}d_channels_last")
    raise not_implemented_for(kernel, x.dtype)


# ---- interpolate -------------------------------------------------------------------------------
def _sizes(x: np.ndarray, size, scale_factor):
    """(output sizes or None, scale factors or None) from torch's arguments, with its checks."""
    dim = x.ndim - 2
    spatial = list(x.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got "
                    f"input with spatial dimensions of {spatial} and output size of {size}. "
                    "Please provide input tensor in (N, C, d1, d2, ...,dK) format and output "
                    "size in (o1, o2, ...,oK) format."
                )
            if not all(isinstance(v, (int, np.integer)) for v in size):
                raise TypeError(
                    "expected size to be one of int or Tuple[int] or Tuple[int, int] or "
                    "Tuple[int, int, int], but got size with types "
                    f"{[type(v) for v in size]}"
                )
            return [int(v) for v in size], None
        return [int(size)] * dim, None
    if scale_factor is not None:
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError(
                    "Input and scale_factor must have the same number of spatial dimensions, but "
                    f"got input with spatial dimensions of {spatial} and scale_factor of shape "
                    f"{scale_factor}. Please provide input tensor in (N, C, d1, d2, ...,dK) "
                    "format and scale_factor in (s1, s2, ...,sK) format."
                )
            return None, [float(v) for v in scale_factor]
        return None, [float(scale_factor)] * dim
    raise ValueError("either size or scale_factor should be defined")


def interpolate(input: Tensor, size=None, scale_factor=None, mode: str = "nearest",
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool = False) -> Tensor:
    """Resize the spatial dimensions of ``input`` to ``size`` or by ``scale_factor``.

    Args:
        input: ``(N, C, W)``, ``(N, C, H, W)`` or ``(N, C, D, H, W)``.
        size: the output's spatial size (an int for all of them, or one per dimension).
        scale_factor: multiplier of the spatial size (output ``floor(n * scale_factor)``);
            give either ``size`` or ``scale_factor``.
        mode: ``'nearest'``, ``'nearest-exact'``, ``'linear'`` (3-D input), ``'bilinear'``
            (4-D), ``'bicubic'`` (4-D), ``'trilinear'`` (5-D) or ``'area'`` (adaptive average
            pooling, 3-D or 4-D).
        align_corners: linear modes only: map the corner pixels onto each other (``True``) or
            the pixel centres (``False``, the default).
        recompute_scale_factor: compute the coordinate scale from the output size instead of
            using ``scale_factor`` (they differ when ``n * scale_factor`` is not whole).
        antialias: (bilinear and bicubic) when shrinking, average every input pixel an output
            pixel covers instead of sampling two or four (as PIL does).

    Shape:
        ``(N, C, *in_spatial)`` → ``(N, C, *out_spatial)``.

    Example::

        >>> F.interpolate(torch.tensor([[[1., 2.]]]), scale_factor=2, mode="linear")
        tensor([[[1.0000, 1.2500, 1.7500, 2.0000]]])
    """
    if not isinstance(input, Tensor):
        raise not_tensor("interpolate", input)
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError(
                "align_corners option can only be set with the interpolating modes: "
                "linear | bilinear | bicubic | trilinear"
            )
    elif align_corners is None:
        align_corners = False
    x = input._data
    out, scales = _sizes(x, size, scale_factor)
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if mode == "area" and out is None:
        recompute_scale_factor = True
    if recompute_scale_factor:
        out = [math.floor(float(x.shape[i + 2]) * scales[i]) for i in range(x.ndim - 2)]
        scales = None
    if antialias and not (mode in ("bilinear", "bicubic") and x.ndim == 4):
        raise ValueError(
            "Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and requires "
            "a 4-D tensor as input"
        )
    if out is None:
        out = [int(n * s) for n, s in zip(x.shape[2:], scales)]
    if x.ndim in (3, 4, 5):
        if (mode in ("nearest", "nearest-exact") or _DIMS_OF.get(mode) == x.ndim
                or (mode == "bicubic" and x.ndim == 4)):
            _check_kernel(x, out, mode)
            return _resample(input, out, scales, mode, bool(align_corners), antialias)
        if mode == "area" and x.ndim in (3, 4):
            pool = adaptive_avg_pool1d if x.ndim == 3 else adaptive_avg_pool2d
            return pool(input, out if x.ndim == 4 else out[0])
        if mode in _DIMS_OF:
            raise NotImplementedError(
                f"Got {x.ndim}D input, but {mode} mode needs {_DIMS_OF[mode]}D input"
            )
        if mode == "area":  # 5-D: adaptive_avg_pool3d
            raise NotImplementedError("glasstorch: interpolate mode 'area' is not implemented "
                                      "for 5D input")
    raise NotImplementedError(
        f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {x.ndim}D) for the modes: "
        f"nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact "
        f"(got {mode})"
    )


def upsample(input: Tensor, size=None, scale_factor=None, mode: str = "nearest",
             align_corners: bool | None = None) -> Tensor:
    """The old name of :func:`interpolate` (warns, as torch does)."""
    warnings.warn("nn.functional.upsample is deprecated. Use nn.functional.interpolate instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size=None, scale_factor=None) -> Tensor:
    """``interpolate(..., mode='nearest')`` under its old name (warns, as torch does)."""
    warnings.warn("nn.functional.upsample_nearest is deprecated. Use nn.functional.interpolate "
                  "instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size=None, scale_factor=None) -> Tensor:
    """``interpolate(..., mode='bilinear', align_corners=True)`` under its old name (warns)."""
    warnings.warn("nn.functional.upsample_bilinear is deprecated. Use nn.functional.interpolate "
                  "instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


__all__ = ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear"]
