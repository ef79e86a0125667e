"""Catalogue entries for the convolutions ``F.conv1d`` and ``F.conv2d`` (the fuller grid, the
layers and the double-backward checks are in tests/test_nn_conv.py)."""

from __future__ import annotations

import glasstorch.nn.functional  # noqa: F401  (makes ``glasstorch.nn.functional`` an attribute)

from .spec import ErrorSpec, OpSpec


def F(lib):
    return lib.nn.functional


OPS = [
    OpSpec("F.conv2d", lambda lib, x, w, b: F(lib).conv2d(x, w, b),
           shapes=[(2, 3, 5, 4), (4, 3, 3, 2), (4,)]),
    OpSpec("F.conv2d/stride_padding_dilation",
           lambda lib, x, w: F(lib).conv2d(x, w, stride=(2, 1), padding=1, dilation=(1, 2)),
           shapes=[(2, 2, 6, 5), (3, 2, 2, 2)]),
    OpSpec("F.conv2d/groups", lambda lib, x, w, b: F(lib).conv2d(x, w, b, groups=2),
           shapes=[(1, 4, 4, 4), (6, 2, 3, 3), (6,)]),
    OpSpec("F.conv2d/depthwise_same",
           lambda lib, x, w: F(lib).conv2d(x, w, padding="same", groups=3),
           shapes=[(2, 3, 4, 4), (3, 1, 3, 3)]),
    OpSpec("F.conv2d/unbatched", lambda lib, x, w: F(lib).conv2d(x, w, padding=(0, 1)),
           shapes=[(2, 4, 3), (3, 2, 2, 3)]),
    OpSpec("F.conv2d/float64", lambda lib, x, w: F(lib).conv2d(x, w, stride=2),
           shapes=[(2, 2, 5, 5), (3, 2, 3, 3)], dtype="float64"),
    OpSpec("F.conv1d", lambda lib, x, w, b: F(lib).conv1d(x, w, b, stride=2, padding=1),
           shapes=[(2, 3, 7), (4, 3, 3), (4,)]),
    OpSpec("F.conv1d/unbatched_dilated", lambda lib, x, w: F(lib).conv1d(x, w, dilation=2),
           shapes=[(3, 8), (2, 3, 3)]),
]

ERRORS = [
    ErrorSpec("F.conv2d/channels", lambda lib, x, w: F(lib).conv2d(x, w),
              shapes=[(2, 3, 6, 6), (4, 2, 3, 3)],
              contains=("Given groups=1, weight of size [4, 2, 3, 3], expected input[2, 3, 6, 6] "
                        "to have 2 channels, but got 3 channels instead",)),
    ErrorSpec("F.conv2d/kernel_too_large", lambda lib, x, w: F(lib).conv2d(x, w),
              shapes=[(1, 1, 2, 2), (1, 1, 3, 3)],
              contains=("Kernel size can't be greater than actual input size",)),
    ErrorSpec("F.conv2d/dims", lambda lib, x, w: F(lib).conv2d(x, w),
              shapes=[(3, 4), (1, 3, 3, 3)],
              contains=("Expected 3D (unbatched) or 4D (batched) input to conv2d",)),
    ErrorSpec("F.conv1d/dims", lambda lib, x, w: F(lib).conv1d(x, w),
              shapes=[(1, 2, 3, 4), (1, 2, 3)],
              contains=("Expected 2D (unbatched) or 3D (batched) input to conv1d",)),
]
