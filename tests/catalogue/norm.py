"""Catalogue entries for the normalisation functions: ``F.batch_norm`` (training with and without
running statistics, evaluation), ``F.layer_norm``, ``F.group_norm``, ``F.instance_norm`` and
``F.local_response_norm``, on every input rank they take, plus their errors.

Running statistics are made inside each line (``lib.zeros``/``lib.ones``) so that the values
are fresh for each library and each call.
"""

from __future__ import annotations

import glasstorch.nn.functional  # noqa: F401  (makes ``glasstorch.nn.functional`` an attribute)

from .spec import ErrorSpec, OpSpec


def F(lib):
    return lib.nn.functional


def _stats(lib, x, c):
    """Running statistics of x's dtype, not all trivial: mean 0.2, variance 1.5."""
    return lib.zeros(c, dtype=x.dtype) + 0.2, lib.ones(c, dtype=x.dtype) * 1.5


def _bn_train(lib, x, w, b):
    rm, rv = _stats(lib, x, x.shape[1])
    return F(lib).batch_norm(x, rm, rv, w, b, training=True, momentum=0.3)


def _bn_eval(lib, x, w, b):
    rm, rv = _stats(lib, x, x.shape[1])
    return F(lib).batch_norm(x, rm, rv, w, b, training=False)


def _bn_stats(lib, x):
    """The running statistics after one training step: (mean, var)."""
    rm, rv = _stats(lib, x, x.shape[1])
    F(lib).batch_norm(x, rm, rv, training=True, momentum=0.25)
    return rm, rv


OPS: list = []
for _shape in [(4, 3), (4, 3, 5), (2, 3, 4, 4), (2, 3, 2, 3, 2)]:
    _c = (_shape[1],)
    _tag = f"{len(_shape)}d"
    for _dt in ("float32", "float64"):
        OPS += [
            OpSpec(f"F.batch_norm/train/{_tag}/{_dt}", _bn_train, [_shape, _c, _c], dtype=_dt),
            OpSpec(f"F.batch_norm/eval/{_tag}/{_dt}", _bn_eval, [_shape, _c, _c], dtype=_dt),
        ]
    OPS += [
        OpSpec(f"F.batch_norm/no_stats/{_tag}",
               lambda lib, x: F(lib).batch_norm(x, None, None, training=True), [_shape]),
        OpSpec(f"F.batch_norm/running_stats/{_tag}", _bn_stats, [_shape], grad=False),
    ]

OPS += [
    OpSpec("F.batch_norm/weight_only",
           lambda lib, x, w: F(lib).batch_norm(x, None, None, w, training=True), [(5, 2), (2,)]),
    OpSpec("F.batch_norm/bias_only/eval",
           lambda lib, x, b: F(lib).batch_norm(x, *_stats(lib, x, 2), None, b), [(5, 2), (2,)]),
    OpSpec("F.batch_norm/one_per_batch_eval",
           lambda lib, x, w, b: _bn_eval(lib, x, w, b), [(1, 3), (3,), (3,)]),
    OpSpec("F.batch_norm/one_sample_3d", _bn_train, [(1, 3, 4), (3,), (3,)]),
    OpSpec("F.batch_norm/empty/eval", _bn_eval, [(0, 3), (3,), (3,)], grad=False),
    OpSpec("F.batch_norm/eps", lambda lib, x: F(lib).batch_norm(x, None, None, training=True,
                                                                 eps=0.5), [(6, 2)]),
]

for _dt in ("float32", "float64"):
    OPS += [
        OpSpec(f"F.layer_norm/last/{_dt}",
               lambda lib, x, w, b: F(lib).layer_norm(x, (5,), w, b), [(3, 4, 5), (5,), (5,)],
               dtype=_dt),
        OpSpec(f"F.layer_norm/two_dims/{_dt}",
               lambda lib, x, w, b: F(lib).layer_norm(x, [4, 5], w, b),
               [(3, 4, 5), (4, 5), (4, 5)], dtype=_dt),
        OpSpec(f"F.group_norm/{_dt}", lambda lib, x, w, b: F(lib).group_norm(x, 2, w, b),
               [(3, 4, 5), (4,), (4,)], dtype=_dt),
    ]
OPS += [
    OpSpec("F.layer_norm/no_affine", lambda lib, x: F(lib).layer_norm(x, (4,)), [(2, 3, 4)]),
    OpSpec("F.layer_norm/1d", lambda lib, x, w: F(lib).layer_norm(x, (6,), w, eps=0.1),
           [(6,), (6,)]),
    OpSpec("F.layer_norm/all_dims", lambda lib, x: F(lib).layer_norm(x, x.shape), [(2, 3)]),
    OpSpec("F.layer_norm/empty_batch", lambda lib, x: F(lib).layer_norm(x, (3,)), [(0, 3)],
           grad=False),
    OpSpec("F.group_norm/2d_one_group", lambda lib, x: F(lib).group_norm(x, 1), [(3, 4)]),
    OpSpec("F.group_norm/4d_instance", lambda lib, x, w: F(lib).group_norm(x, 3, w),
           [(2, 3, 2, 3), (3,)]),
    OpSpec("F.group_norm/5d", lambda lib, x, w, b: F(lib).group_norm(x, 2, w, b),
           [(2, 4, 2, 2, 2), (4,), (4,)]),
    OpSpec("F.instance_norm/3d", lambda lib, x, w, b: F(lib).instance_norm(x, weight=w, bias=b),
           [(2, 3, 5), (3,), (3,)]),
    OpSpec("F.instance_norm/4d", lambda lib, x: F(lib).instance_norm(x), [(2, 3, 2, 3)]),
    OpSpec("F.instance_norm/running_stats",
           lambda lib, x: _instance_stats(lib, x), [(2, 3, 4)], grad=False),
    OpSpec("F.instance_norm/eval_stats",
           lambda lib, x: F(lib).instance_norm(x, *_stats(lib, x, 3), use_input_stats=False),
           [(2, 3, 4)]),
    OpSpec("F.local_response_norm/3d", lambda lib, x: F(lib).local_response_norm(x, 3),
           [(2, 5, 4)]),
    OpSpec("F.local_response_norm/4d",
           lambda lib, x: F(lib).local_response_norm(x, 2, alpha=0.5, beta=0.6, k=2.0),
           [(2, 4, 3, 3)], dtype="float64"),
]


def _instance_stats(lib, x):
    rm, rv = _stats(lib, x, x.shape[1])
    F(lib).instance_norm(x, rm, rv, momentum=0.4)
    return rm, rv


def _v(*shapes):
    import numpy as np

    rng = np.random.default_rng(0)
    return [rng.standard_normal(s).astype(np.float32) for s in shapes]


ERRORS = [
    ErrorSpec("F.batch_norm/one_value_per_channel",
              lambda lib, x: F(lib).batch_norm(x, *_stats(lib, x, 4), training=True),
              values=_v((1, 4)), exc=ValueError,
              contains=("Expected more than 1 value per channel when training, got input size "
                        "torch.Size([1, 4])",)),
    ErrorSpec("F.batch_norm/running_mean_size",
              lambda lib, x: F(lib).batch_norm(x, lib.zeros(3), lib.ones(4), training=True),
              values=_v((2, 4)), contains=("running_mean should contain 4 elements not 3",)),
    ErrorSpec("F.batch_norm/running_var_size",
              lambda lib, x: F(lib).batch_norm(x, lib.zeros(4), lib.ones(5)),
              values=_v((2, 4)), contains=("running_var should contain 4 elements not 5",)),
    ErrorSpec("F.batch_norm/weight_size",
              lambda lib, x, w: F(lib).batch_norm(x, None, None, w, training=True),
              values=_v((2, 4), (3,)), contains=("weight should contain 4 elements not 3",)),
    ErrorSpec("F.batch_norm/eval_without_stats",
              lambda lib, x: F(lib).batch_norm(x, None, None), values=_v((2, 4)),
              contains=("running_mean must be defined in evaluation mode",)),
    ErrorSpec("F.batch_norm/only_mean",
              lambda lib, x: F(lib).batch_norm(x, lib.zeros(4), None, training=True),
              values=_v((2, 4)), exc=ValueError,
              contains=("running_mean and running_var must either both be None",)),
    ErrorSpec("F.batch_norm/int_input",
              lambda lib, x: F(lib).batch_norm(x, None, None, training=True),
              values=[[[1, 2], [3, 4]]], exc=NotImplementedError,
              contains=("\"batch_norm\" not implemented for 'Long'",)),
    ErrorSpec("F.batch_norm/mixed_dtype",
              lambda lib, x: F(lib).batch_norm(x.double(), lib.zeros(4), lib.ones(4)),
              values=_v((2, 4)), contains=("mixed dtype (CPU): all inputs must share same",)),
    ErrorSpec("F.layer_norm/shape",
              lambda lib, x: F(lib).layer_norm(x, (4,)), values=_v((2, 3)),
              contains=("Given normalized_shape=[4], expected input with shape [*, 4], but got "
                        "input of size[2, 3]",)),
    ErrorSpec("F.layer_norm/weight_shape",
              lambda lib, x, w: F(lib).layer_norm(x, (3,), w), values=_v((2, 3), (4,)),
              contains=("Expected weight to be of same shape as normalized_shape, but got "
                        "weight of shape [4] and normalized_shape = [3]",)),
    ErrorSpec("F.layer_norm/int_shape", lambda lib, x: F(lib).layer_norm(x, 3),
              values=_v((2, 3)), exc=TypeError,
              contains=("argument 'normalized_shape' (position 2) must be tuple of ints",)),
    ErrorSpec("F.layer_norm/empty_shape", lambda lib, x: F(lib).layer_norm(x, ()),
              values=_v((2, 3)), contains=("Expected normalized_shape to be at least "
                                           "1-dimensional",)),
    ErrorSpec("F.group_norm/groups", lambda lib, x: F(lib).group_norm(x, 4),
              values=_v((2, 6, 3)),
              contains=("Expected number of channels in input to be divisible by num_groups, "
                        "but got input of shape [2, 6, 3] and num_groups=4",)),
    ErrorSpec("F.group_norm/1d", lambda lib, x: F(lib).group_norm(x, 2), values=_v((6,)),
              contains=("Expected at least 2 dimensions for input tensor but received 1",)),
    ErrorSpec("F.group_norm/weight", lambda lib, x, w: F(lib).group_norm(x, 3, w),
              values=_v((2, 6, 3), (4,)),
              contains=("Expected weight to be a vector of size equal to the number of "
                        "channels in input, but got weight of shape [4]",)),
    ErrorSpec("F.instance_norm/one_spatial", lambda lib, x: F(lib).instance_norm(x),
              values=_v((2, 3, 1)), exc=ValueError,
              contains=("Expected more than 1 spatial element when training, got input size "
                        "torch.Size([2, 3, 1])",)),
    ErrorSpec("F.local_response_norm/2d", lambda lib, x: F(lib).local_response_norm(x, 2),
              values=_v((2, 6)), exc=ValueError,
              contains=("Expected 3D or higher dimensionality", "(got 2 dimensions)")),
]
