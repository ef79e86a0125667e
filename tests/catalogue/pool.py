"""Catalogue entries for pooling, padding and resampling (``F.max_pool2d``, ``F.avg_pool2d``,
the adaptive pools, ``F.pad`` in each mode, ``F.interpolate``): the common calls of d2l's CNN
chapters. The argument grids, ties, NaNs and the layers are in ``tests/test_nn_pool.py`` and
``tests/test_nn_resample.py``.

Random uniform inputs have no ties, so the finite differences of max pooling are well defined.
"""

from __future__ import annotations

import glasstorch.nn.functional  # noqa: F401  (makes ``glasstorch.nn.functional`` an attribute)

from .spec import ErrorSpec, OpSpec


def F(lib):
    return lib.nn.functional


IMG = [(2, 3, 6, 7)]

OPS = [
    OpSpec("F.max_pool2d/lenet", lambda lib, x: F(lib).max_pool2d(x, 2), shapes=IMG),
    OpSpec("F.max_pool2d/3s2p1", lambda lib, x: F(lib).max_pool2d(x, 3, 2, 1), shapes=IMG),
    OpSpec("F.max_pool2d/ceil", lambda lib, x: F(lib).max_pool2d(x, 2, 1, ceil_mode=True),
           shapes=IMG),
    OpSpec("F.max_pool1d", lambda lib, x: F(lib).max_pool1d(x, 3, 2, 1), shapes=[(2, 3, 8)]),
    OpSpec("F.avg_pool2d/lenet", lambda lib, x: F(lib).avg_pool2d(x, kernel_size=2, stride=2),
           shapes=IMG),
    OpSpec("F.avg_pool2d/no_pad_count", lambda lib, x: F(lib).avg_pool2d(
        x, 3, 2, 1, ceil_mode=True, count_include_pad=False), shapes=IMG),
    OpSpec("F.avg_pool1d", lambda lib, x: F(lib).avg_pool1d(x, 2), shapes=[(3, 7)]),
    OpSpec("F.adaptive_avg_pool2d/global", lambda lib, x: F(lib).adaptive_avg_pool2d(x, (1, 1)),
           shapes=IMG),
    OpSpec("F.adaptive_avg_pool2d/uneven", lambda lib, x: F(lib).adaptive_avg_pool2d(x, (4, 5)),
           shapes=IMG),
    OpSpec("F.adaptive_max_pool2d", lambda lib, x: F(lib).adaptive_max_pool2d(x, 4), shapes=IMG),
    OpSpec("F.adaptive_avg_pool1d", lambda lib, x: F(lib).adaptive_avg_pool1d(x, 3),
           shapes=[(2, 3, 8)]),
    OpSpec("F.adaptive_max_pool1d", lambda lib, x: F(lib).adaptive_max_pool1d(x, 3),
           shapes=[(2, 3, 8)]),
    OpSpec("F.pad/reflect", lambda lib, x: F(lib).pad(x, (2, 1, 1, 3), mode="reflect"),
           shapes=IMG),
    OpSpec("F.pad/replicate", lambda lib, x: F(lib).pad(x, (2, 1, 1, 3), mode="replicate"),
           shapes=IMG),
    OpSpec("F.pad/circular", lambda lib, x: F(lib).pad(x, (2, 1, 1, 3), mode="circular"),
           shapes=IMG),
    OpSpec("F.pad/reflect1d", lambda lib, x: F(lib).pad(x, (3, 2), mode="reflect"),
           shapes=[(3, 5)]),
    OpSpec("F.interpolate/nearest", lambda lib, x: F(lib).interpolate(x, scale_factor=2),
           shapes=IMG),
    OpSpec("F.interpolate/bilinear", lambda lib, x: F(lib).interpolate(
        x, size=(9, 4), mode="bilinear"), shapes=IMG),
    OpSpec("F.interpolate/bilinear_corners", lambda lib, x: F(lib).interpolate(
        x, scale_factor=1.5, mode="bilinear", align_corners=True), shapes=IMG),
    OpSpec("F.interpolate/linear", lambda lib, x: F(lib).interpolate(
        x, scale_factor=2.5, mode="linear"), shapes=[(2, 3, 5)]),
]

ERRORS = [
    ErrorSpec("F.max_pool2d/pad_too_big", lambda lib, x: F(lib).max_pool2d(x, 3, padding=2),
              shapes=IMG, contains=("pad should be at most half of effective kernel size",)),
    ErrorSpec("F.avg_pool2d/too_small", lambda lib, x: F(lib).avg_pool2d(x, 8), shapes=IMG,
              contains=("Output size is too small",)),
    ErrorSpec("F.pad/reflect_too_big", lambda lib, x: F(lib).pad(x, (7, 0), mode="reflect"),
              shapes=[(3, 5)],
              contains=("Padding size should be less than the corresponding input dimension",)),
    ErrorSpec("F.interpolate/align_corners_nearest", lambda lib, x: F(lib).interpolate(
        x, scale_factor=2, align_corners=True), shapes=IMG, exc=ValueError,
        contains=("align_corners option can only be set with the interpolating modes",)),
    ErrorSpec("F.interpolate/bilinear_3d", lambda lib, x: F(lib).interpolate(
        x, scale_factor=2, mode="bilinear"), shapes=[(2, 3, 5)], exc=NotImplementedError,
        contains=("Got 3D input, but bilinear mode needs 4D input",)),
]
