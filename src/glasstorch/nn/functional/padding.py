"""``F.pad``: add (or, with negative amounts, remove) a border around the last dimensions.

``pad`` lists ``(left, right)`` amounts starting from the LAST dimension: ``(1, 2)`` pads the last
dimension by 1 before and 2 after; ``(1, 1, 2, 2)`` also the one before it. What the border holds
depends on ``mode``:

- ``'constant'``: ``value`` (default 0), any number of dimensions;
- ``'reflect'``: the input mirrored about its edge, the edge not repeated
  (``[1, 2, 3]`` padded by 2 → ``[3, 2, 1, 2, 3, 2, 1]``); each amount smaller than the size;
- ``'replicate'``: the edge repeated (``[1, 2, 3]`` → ``[1, 1, 1, 2, 3, 3, 3]``);
- ``'circular'``: the input wrapped around (``[1, 2, 3]`` → ``[2, 3, 1, 2, 3, 1, 2]``).

The last three pad 1, 2 or 3 trailing dimensions of a batched or unbatched input (so
``(1, 1)`` needs a 2-D or 3-D input). Each is one gather per padded dimension (``np.take`` with
an index map from output to input position), so backward is the adjoint of that gather: every
output gradient is added to the input position it was read from — the border's gradients fold
back onto the elements they copy.
"""

from __future__ import annotations

import numpy as np

from ... import _array
from ..._errors import not_tensor
from ..._tensor import Tensor, _wrap
from ...autograd.graph import Node, attach, set_history
from ...autograd.views import CopySlices
from ._windows import LinearMapBackward, linear_op, take_adjoint

_MODES = ("constant", "reflect", "replicate", "circular")


def _source_index(mode: str, n: int, lo: int, hi: int) -> np.ndarray:
    """For each output position along a padded dimension, the input position it copies."""
    j = np.arange(n + lo + hi) - lo
    if mode == "reflect":
        j = np.abs(j)
        return np.where(j > n - 1, 2 * (n - 1) - j, j)
    if mode == "replicate":
        return np.clip(j, 0, n - 1)
    # circular: crop first (negative amounts), then wrap around what is left
    start, end = max(-lo, 0), n - max(-hi, 0)
    return start + (np.arange(n + lo + hi) - max(lo, 0)) % (end - start)


_PREFIX = {"reflect": "ReflectionPad", "replicate": "ReplicationPad"}
# torch's grad_fn names: ReflectionPad2DBackward0, ReplicationPad1DBackwardBackward0, ... made
# here from one pattern, as they differ only in their names
_NODES = {
    f"{prefix}{k}D{suffix}": type(f"{prefix}{k}D{suffix}", (LinearMapBackward,), {
        "__doc__": f"Backward of {prefix[:-3].lower()} padding of {k} dims: fold the border's "
                   "gradient back onto the positions it copies.",
        "keeps_tensors": suffix == "Backward0"})
    for prefix in _PREFIX.values() for k in (1, 2, 3)
    for suffix in ("Backward0", "BackwardBackward0")
}


class _CircularPadBackward(LinearMapBackward):
    """Backward of circular padding: each border position's gradient goes back to the position
    it wraps around from. torch writes circular padding as copies into slices of a new tensor,
    so its graph shows the node of such a write, ``CopySlices`` (``autograd.views``), wrapped
    around this one (the copies are one gather per dimension here)."""

    keeps_tensors = True


class SliceBackwardBackward0(LinearMapBackward):
    """Backward of circular padding's backward: circular padding again (in torch, the backward
    of the slicing that its copies read from)."""


def _check_nonconstant(x: np.ndarray, pads: list, mode: str, value) -> None:
    k = len(pads) // 2
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if not (1 <= k <= 3 and x.ndim in (k + 1, k + 2)):
        raise NotImplementedError(
            f"Padding size {len(pads)} is not supported for {x.ndim}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)"
        )
    if mode == "circular":
        for d in range(k):
            n, lo, hi = x.shape[-1 - d], pads[2 * d], pads[2 * d + 1]
            if lo > n or hi > n:
                raise RuntimeError("Padding value causes wrapping around more than once.")
            if n + min(lo, 0) + min(hi, 0) <= 0 and n + lo + hi != 0:
                raise RuntimeError("Negative padding value is resulting in an empty dimension")
        return
    if 0 in x.shape[-k - 1:]:
        raise RuntimeError(
            f"Expected {k + 1}D or {k + 2}D (batch mode) tensor with possibly 0 batch size and "
            f"other non-zero dimensions for input, but got: {list(x.shape)}"
        )
    kernel = "reflection_pad" if mode == "reflect" else "replication_pad"
    if x.dtype.kind == "b":
        raise NotImplementedError(f"\"{kernel}{k}d\" not implemented for 'Bool'")
    for d in range(k):
        n, lo, hi = x.shape[-1 - d], pads[2 * d], pads[2 * d + 1]
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeError(
                f"Argument #{4 + 2 * d}: Padding size should be less than the corresponding "
                f"input dimension, but got: padding ({lo}, {hi}) at dimension {x.ndim - 1 - d} "
                f"of input {list(x.shape)}"
            )
        if n + lo + hi < 1:
            name = "WHD"[d]
            raise RuntimeError(f"input ({name}: {n}) is too small. Calculated output {name}: "
                               f"{n + lo + hi}")


def _pad_by_gather(input: Tensor, pads: list, mode: str) -> Tensor:
    x = input._data
    k = len(pads) // 2
    maps = []
    for d in range(k):
        axis = x.ndim - 1 - d
        n, lo, hi = x.shape[axis], pads[2 * d], pads[2 * d + 1]
        idx = _source_index(mode, n, lo, hi)  # made on the host; the gather reads it on x's device
        maps.append((axis, idx, _array.like(x, idx), n))

    def fn(a: np.ndarray) -> np.ndarray:
        for axis, _, idx, _ in maps:
            a = np.take(a, idx, axis)
        return a

    def adjoint(g: np.ndarray) -> np.ndarray:
        for axis, idx, _, n in reversed(maps):
            g = take_adjoint(g, idx, n, axis)
        return g

    if mode != "circular":
        name = f"{_PREFIX[mode]}{k}D"
        return linear_op(input, fn, adjoint, _NODES[name + "Backward0"],
                         _NODES[name + "BackwardBackward0"])
    res = linear_op(input, fn, adjoint, _CircularPadBackward, SliceBackwardBackward0)
    if res._grad_fn is not None:  # the node as torch shows it (see _CircularPadBackward)
        set_history(res, CopySlices(None, None, res._grad_fn))
    return res


def _check_pad_arg(pad) -> list:
    if isinstance(pad, (int, Tensor)) or not isinstance(pad, (tuple, list)):
        raise TypeError(
            "pad(): argument 'pad' (position 2) must be tuple of ints, not "
            f"{type(pad).__name__}"
        )
    for i, v in enumerate(pad):
        if not isinstance(v, (int, np.integer)):
            raise TypeError(
                "pad(): argument 'pad' (position 2) must be tuple of ints, but found element of "
                f"type {type(v).__name__} at pos {i}"
            )
    return [int(v) for v in pad]


def pad(input: Tensor, pad: list[int], mode: str = "constant",
        value: float | None = None) -> Tensor:
    """Pad (or, with negative amounts, crop) the last dimensions of ``input``.

    Args:
        input: a tensor; ``'reflect'``, ``'replicate'`` and ``'circular'`` need a batched or
            unbatched input of 1 to 3 padded dimensions (e.g. ``(N, C, H, W)`` or ``(C, H, W)``
            for 4 amounts).
        pad: ``(left, right)`` amounts, last dimension first: ``(left, right, top, bottom)``.
        mode: ``'constant'``, ``'reflect'``, ``'replicate'`` or ``'circular'`` (see above).
        value: the fill of ``'constant'`` padding (default 0).

    Shape:
        Each padded dimension grows by its two amounts: ``W_out = W + left + right``.

    Example::

        >>> F.pad(torch.tensor([[[1., 2., 3.]]]), (2, 1), mode="reflect")
        tensor([[[3., 2., 1., 2., 3., 2.]]])
    """
    if not isinstance(input, Tensor):
        raise not_tensor("pad", input)
    pads = _check_pad_arg(pad)
    if mode not in _MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    x = input._data
    if len(pads) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if mode != "constant":
        _check_nonconstant(x, pads, mode, value)
        return _pad_by_gather(input, pads, mode)
    if len(pads) > 2 * x.ndim:
        raise RuntimeError(
            "Padding length should be less than or equal to two times the input dimension but got "
            f"padding length {len(pads)} and input of dimension {x.ndim}"
        )
    shape, src, dst = list(x.shape), [slice(None)] * x.ndim, [slice(None)] * x.ndim
    for k in range(len(pads) // 2):
        d = x.ndim - 1 - k
        lo, hi = pads[2 * k], pads[2 * k + 1]
        size = x.shape[d] + lo + hi
        if size < 0:
            raise RuntimeError(
                f"The input size {x.shape[d]}, plus negative padding {lo} and {hi} resulted in a "
                f"negative output size, which is invalid. Check dimension {d} of your input."
            )
        shape[d] = size
        src[d] = slice(max(-lo, 0), x.shape[d] - max(-hi, 0))
        dst[d] = slice(max(lo, 0), size - max(hi, 0))
    out = _array.namespace(x).full(shape, 0 if value is None else value, dtype=x.dtype)
    out[tuple(dst)] = x[tuple(src)]
    return attach(_wrap(out), ConstantPadNdBackward0, input, pads=pads)


class ConstantPadNdBackward0(Node):
    """The adjoint of padding by ``pads`` is padding by ``-pads``: crop what was added, put zeros
    where the forward cropped."""

    def __init__(self, input, *, pads: list):
        super().__init__(input)
        self.pads = pads

    def backward(self, grad):
        return pad(grad, [-p for p in self.pads])


__all__ = ["pad"]
