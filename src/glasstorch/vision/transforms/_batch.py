"""Whole-batch versions of the common transforms, for the datasets' ``__getbatch__``.

A dataset of N×H×W uint8 images can hand a DataLoader a batch of B images as one array. This
module turns a transform pipeline into a *plan*: the longest prefix of steps it knows how to run
on the whole batch at once (``ToTensor``, ``Normalize``, ``Resize``, ``CenterCrop``,
``RandomHorizontalFlip``), then the remaining steps item by item, then ``default_collate``. The
result equals ``default_collate([transform(image_i) for i in batch])`` exactly.

A batch is tracked as ``(kind, array)``: ``"pil"`` means B grayscale PIL images held as a
``B×H×W`` uint8 array; ``"tensor"`` means B tensors stacked along a new first axis.

Random steps draw their coins in item order, as item-by-item application would, as long as
the pipeline holds one random step and runs entirely batched; otherwise the batched prefix
stops before the first random step.
"""

from __future__ import annotations

import numpy as np

from ... import _dtype, _sampling
from ..._tensor import _wrap
from ...utils.data._collate import default_collate
from . import _resample
from . import functional as F
from .transforms import (
    CenterCrop,
    Compose,
    InterpolationMode,
    Normalize,
    RandomHorizontalFlip,
    Resize,
    ToTensor,
)


def _flatten(transform) -> list:
    if transform is None:
        return []
    if type(transform) is Compose:
        return [step for t in transform.transforms for step in _flatten(t)]
    return [transform]


def _to_tensor(kind, arr):
    if kind == "pil" or (arr.dtype == np.uint8 and arr.ndim == 3):  # PIL, or 2-D uint8 stand-in
        return "tensor", arr[:, None].astype(_dtype.get_default_dtype().np) / np.float32(255)
    return None


def _normalize(step: Normalize):
    def run(kind, arr):
        if kind != "tensor" or arr.dtype.kind != "f" or arr.ndim < 4:
            return None
        mean = np.asarray(step.mean, dtype=arr.dtype)
        std = np.asarray(step.std, dtype=arr.dtype)
        if (std == 0).any() or mean.ndim > 1 or std.ndim > 1:
            return None
        if mean.ndim == 1 and mean.shape[0] not in (1, arr.shape[-3]):
            return None
        if std.ndim == 1 and std.shape[0] not in (1, arr.shape[-3]):
            return None
        shape = (-1, 1, 1)
        return "tensor", (arr - mean.reshape(shape)) / std.reshape(shape)
    return run


def _resize(step: Resize):
    def run(kind, arr):
        height, width = arr.shape[-2:]
        out_h, out_w = F.resized_output_size(height, width, step.size, step.max_size)
        if (out_h, out_w) == (height, width):
            return kind, arr
        if kind == "pil":
            known = _resample.pil_pass_order(height, width, out_h, out_w) is not None
            if step.interpolation is not InterpolationMode.BILINEAR or not known:
                return None
            return "pil", _resample.resize_uint8_like_pil(arr, (out_h, out_w))
        if step.interpolation not in (InterpolationMode.BILINEAR, InterpolationMode.NEAREST):
            return None
        return "tensor", _resample.resize_float(arr, (out_h, out_w), bool(step.antialias),
                                                step.interpolation.value)
    return run


def _center_crop(step: CenterCrop):
    def run(kind, arr):
        out_h, out_w = step.size
        (left, top, right, bottom), (y, x) = F.crop_box(*arr.shape[-2:], out_h, out_w)
        if left or top or right or bottom:
            arr = np.pad(arr, [(0, 0)] * (arr.ndim - 2) + [(top, bottom), (left, right)])
        return kind, np.ascontiguousarray(arr[..., y:y + out_h, x:x + out_w])
    return run


def _horizontal_flip(step: RandomHorizontalFlip):
    def run(kind, arr):
        coins = _sampling.rand(len(arr))._data < step.p
        arr = arr.copy()
        arr[coins] = arr[coins][..., ::-1]
        return kind, arr
    return run


_BATCHED = {
    ToTensor: lambda step: _to_tensor,
    Normalize: _normalize,
    Resize: _resize,
    CenterCrop: _center_crop,
    RandomHorizontalFlip: _horizontal_flip,
}


def plan_for(transform, pil_images: bool):
    """``run(images, make_item)``: the batch for uint8 ``images`` (B×H×W) under ``transform``.

    ``pil_images``: whether the dataset's items are PIL images (else 2-D uint8 tensors).
    ``make_item(row)`` builds one item's image from an H×W row, for the item-by-item steps.
    """
    steps = _flatten(transform)
    batched = []
    for step in steps:
        make = _BATCHED.get(type(step))
        if make is None:
            break
        batched.append((make(step), isinstance(step, RandomHorizontalFlip)))
    randoms = [i for i, (_, is_random) in enumerate(batched) if is_random]
    if randoms and (len(batched) < len(steps) or len(randoms) > 1):
        del batched[randoms[0]:]

    def run(images: np.ndarray, make_item):
        kind, arr = ("pil" if pil_images else "tensor"), images
        done = 0
        for fn, _ in batched:
            result = fn(kind, arr)
            if result is None:  # this batch's case is not handled here: go item by item
                break
            kind, arr = result
            done += 1
        remaining = steps[done:]
        if kind == "tensor" and not remaining:
            return _wrap(np.ascontiguousarray(arr))
        items = [make_item(row) if kind == "pil" else _wrap(row) for row in arr]
        for step in remaining:
            items = [step(item) for item in items]
        return default_collate(items)

    return run
