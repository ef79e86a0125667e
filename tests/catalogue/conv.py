"""Catalogue entries for the convolutions ``F.conv1d``, ``F.conv2d``, their transposed forms and
the sliding-block ops ``F.unfold``/``F.fold`` (the fuller grid, the layers and the
double-backward checks are in tests/test_nn_conv.py and tests/test_fidelity_nn.py)."""

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

_CT2 = lambda lib: F(lib).conv_transpose2d  # noqa: E731
_CT1 = lambda lib: F(lib).conv_transpose1d  # noqa: E731
OPS += [
    OpSpec("F.conv_transpose2d", lambda lib, x, w, b: _CT2(lib)(x, w, b),
           shapes=[(2, 4, 3, 4), (4, 3, 3, 2), (3,)]),
    OpSpec("F.conv_transpose2d/stride_padding_output_padding",
           lambda lib, x, w: _CT2(lib)(x, w, stride=(2, 3), padding=(1, 0),
                                       output_padding=(1, 2)),
           shapes=[(2, 2, 3, 3), (2, 3, 3, 3)]),
    OpSpec("F.conv_transpose2d/dilation_output_padding",
           lambda lib, x, w: _CT2(lib)(x, w, stride=2, output_padding=2, dilation=3),
           shapes=[(1, 2, 3, 3), (2, 2, 2, 2)]),
    OpSpec("F.conv_transpose2d/groups",
           lambda lib, x, w, b: _CT2(lib)(x, w, b, stride=2, padding=1, groups=2,
                                          dilation=(1, 2)),
           shapes=[(2, 4, 3, 3), (4, 2, 2, 3), (4,)]),
    OpSpec("F.conv_transpose2d/unbatched", lambda lib, x, w: _CT2(lib)(x, w, stride=2),
           shapes=[(3, 2, 3), (3, 2, 3, 3)]),
    OpSpec("F.conv_transpose2d/float64", lambda lib, x, w: _CT2(lib)(x, w, stride=2, padding=1),
           shapes=[(2, 2, 3, 3), (2, 3, 3, 3)], dtype="float64"),
    OpSpec("F.conv_transpose2d/empty_batch", lambda lib, x, w: _CT2(lib)(x, w),
           shapes=[(0, 2, 3, 3), (2, 3, 2, 2)], gradcheck=False),
    OpSpec("F.conv_transpose1d", lambda lib, x, w, b: _CT1(lib)(x, w, b, stride=2, padding=1,
                                                               output_padding=1),
           shapes=[(2, 4, 5), (4, 2, 3), (2,)]),
    OpSpec("F.conv_transpose1d/groups_unbatched",
           lambda lib, x, w: _CT1(lib)(x, w, groups=3, dilation=2), shapes=[(6, 5), (6, 1, 2)]),
    OpSpec("F.unfold", lambda lib, x: F(lib).unfold(x, 2), shapes=[(2, 3, 5, 4)]),
    OpSpec("F.unfold/geometry", lambda lib, x: F(lib).unfold(x, (2, 3), dilation=(1, 2),
                                                             padding=1, stride=(2, 1)),
           shapes=[(2, 2, 5, 6)]),
    OpSpec("F.unfold/unbatched", lambda lib, x: F(lib).unfold(x, 2, stride=2),
           shapes=[(3, 4, 4)]),
    OpSpec("F.unfold/float64_empty_batch", lambda lib, x: F(lib).unfold(x, 2),
           shapes=[(0, 2, 3, 3)], dtype="float64", gradcheck=False),
    OpSpec("F.fold", lambda lib, x: F(lib).fold(x, (5, 4), 2), shapes=[(2, 12, 12)]),
    OpSpec("F.fold/geometry", lambda lib, x: F(lib).fold(x, (6, 7), 2, dilation=(1, 2),
                                                         padding=1, stride=(2, 1)),
           shapes=[(2, 12, 28)]),
    OpSpec("F.fold/unbatched_float64", lambda lib, x: F(lib).fold(x, 4, (2, 3), stride=2),
           shapes=[(12, 2)], dtype="float64"),
    OpSpec("F.fold_of_unfold", lambda lib, x: F(lib).fold(F(lib).unfold(x, 3, padding=1), (4, 5),
                                                           3, padding=1),
           shapes=[(1, 2, 4, 5)]),
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
    ErrorSpec("F.conv_transpose2d/channels", lambda lib, x, w: F(lib).conv_transpose2d(x, w),
              shapes=[(2, 4, 5, 5), (3, 3, 3, 3)],
              contains=("Given transposed=1, weight of size [3, 3, 3, 3], expected input"
                        "[2, 4, 5, 5] to have 3 channels, but got 4 channels instead",)),
    ErrorSpec("F.conv_transpose2d/output_padding",
              lambda lib, x, w: F(lib).conv_transpose2d(x, w, stride=2, output_padding=2),
              shapes=[(2, 4, 5, 5), (4, 3, 3, 3)],
              contains=("output padding must be smaller than either stride or dilation, but got "
                        "output_padding_height: 2 output_padding_width: 2 stride_height: 2",)),
    ErrorSpec("F.conv_transpose2d/bias", lambda lib, x, w, b: F(lib).conv_transpose2d(x, w, b),
              shapes=[(2, 4, 5, 5), (4, 3, 3, 3), (4,)],
              contains=("Given transposed=1, weight of size [4, 3, 3, 3], expected bias to be "
                        "1-dimensional with 3 elements, but got bias of size [4] instead",)),
    ErrorSpec("F.conv_transpose2d/groups", lambda lib, x, w: F(lib).conv_transpose2d(x, w,
                                                                                     groups=3),
              shapes=[(2, 4, 5, 5), (4, 3, 3, 3)],
              contains=("Given groups=3, expected weight to be divisible by 3 at dimension 0",)),
    ErrorSpec("F.conv_transpose2d/negative_output_padding",
              lambda lib, x, w: F(lib).conv_transpose2d(x, w, output_padding=-1),
              shapes=[(2, 4, 5, 5), (4, 3, 3, 3)],
              contains=("negative output_padding is not supported",)),
    ErrorSpec("F.conv_transpose2d/dims", lambda lib, x, w: F(lib).conv_transpose2d(x, w),
              shapes=[(5, 5), (4, 3, 3, 3)],
              contains=("Expected 3D (unbatched) or 4D (batched) input to conv_transpose2d",)),
    ErrorSpec("F.conv_transpose2d/dtype", lambda lib, x, w: F(lib).conv_transpose2d(x, w),
              shapes=[(2, 4, 5, 5), (4, 3, 3, 3)], dtypes=("float32", "float64"),
              contains=("Input type (torch.FloatTensor) and weight type (torch.DoubleTensor) "
                        "should be the same",)),
    ErrorSpec("F.conv_transpose2d/padding_str",
              lambda lib, x, w: F(lib).conv_transpose2d(x, w, padding="same"),
              shapes=[(2, 4, 5, 5), (4, 3, 3, 3)], exc=TypeError,
              contains=("argument 'padding' must be tuple of ints, not str",)),
    ErrorSpec("F.conv_transpose1d/output_padding",
              lambda lib, x, w: F(lib).conv_transpose1d(x, w, output_padding=1),
              shapes=[(2, 4, 5), (4, 3, 3)],
              contains=("output_padding_height: 0 output_padding_width: 1 stride_height: 1",)),
    ErrorSpec("F.unfold/no_blocks", lambda lib, x: F(lib).unfold(x, 6), shapes=[(2, 3, 5, 4)],
              contains=("Given input with spatial size (5, 4), kernel_size=(6, 6), dilation=(1, "
                        "1), padding=(0, 0), calculated shape of the array of sliding blocks as "
                        "(0, -1), but its components must be at least one.",)),
    ErrorSpec("F.unfold/kernel_zero", lambda lib, x: F(lib).unfold(x, 0), shapes=[(2, 3, 5, 4)],
              contains=("kernel size should be greater than zero, but got kernel_height: 0 "
                        "kernel_width: 0",)),
    ErrorSpec("F.unfold/padding", lambda lib, x: F(lib).unfold(x, 2, padding=-1),
              shapes=[(2, 3, 5, 4)],
              contains=("padding should be non-negative, but got pad_height: -1 pad_width: -1",)),
    ErrorSpec("F.unfold/kernel_length", lambda lib, x: F(lib).unfold(x, (2, 2, 2)),
              shapes=[(2, 3, 5, 4)],
              contains=("It is expected kernel_size equals to 2, but got size 3",)),
    ErrorSpec("F.unfold/2d_input", lambda lib, x: F(lib).unfold(x, 2), shapes=[(5, 4)],
              exc=IndexError, contains=("Dimension out of range",)),
    ErrorSpec("F.unfold/empty_channels", lambda lib, x: F(lib).unfold(x, 2),
              shapes=[(2, 0, 5, 4)],
              contains=("Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and "
                        "other non-zero dimensions for input, but got: [2, 0, 5, 4]",)),
    ErrorSpec("F.unfold/int", lambda lib, x: F(lib).unfold(x, 2), shapes=[(2, 3, 5, 4)],
              dtype="int64", exc=NotImplementedError,
              contains=("\"im2col_out_cpu\" not implemented for 'Long'",)),
    ErrorSpec("F.fold/divisible", lambda lib, x: F(lib).fold(x, (5, 4), 3), shapes=[(2, 12, 12)],
              contains=("Expected size of input's dimension 1 to be divisible by the product of "
                        "kernel_size, but got input.size(1)=12 and kernel_size=(3, 3).",)),
    ErrorSpec("F.fold/blocks", lambda lib, x: F(lib).fold(x, (5, 5), 2), shapes=[(2, 12, 12)],
              contains=("Given output_size=(5, 5), kernel_size=(2, 2), dilation=(1, 1), "
                        "padding=(0, 0), stride=(1, 1), expected size of input's dimension 2 to "
                        "match the calculated number of sliding blocks 4 * 4 = 16, but got "
                        "input.size(2)=12.",)),
    ErrorSpec("F.fold/dims", lambda lib, x: F(lib).fold(x, (5, 4), 2), shapes=[(12,)],
              contains=("Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch "
                        "size and non-zero dimensions for input, but got: [12]",)),
    ErrorSpec("F.fold/stride", lambda lib, x: F(lib).fold(x, (5, 4), 2, stride=0),
              shapes=[(2, 12, 12)],
              contains=("stride should be greater than zero, but got stride_height: 0 "
                        "stride_width: 0",)),
]
