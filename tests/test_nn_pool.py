"""Pooling against torch: max/avg pooling (1d, 2d) and the adaptive pools over a grid of
arguments — forward values, indices, gradients, grad_fn names, double backward, error parity —
plus float64 gradchecks and the pooling layers' printed forms."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import glasstorch as gt
import glasstorch.nn as gnn
from glasstorch.autograd import gradcheck
from oracle import assert_same, needs_torch


def _input(shape, dtype="float32", seed=0, ties=False):
    rng = np.random.default_rng(seed)
    if ties:  # few distinct values: many windows hold their maximum twice
        return rng.integers(-2, 3, size=shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def compare(torch, fn, arr, grad=True, check_grad_fn=True):
    """``fn(lib, x)`` with glasstorch and torch on the same array: same result or same error;
    then the same gradient for a random upstream gradient, and the same grad_fn name."""
    ours_x = gt.tensor(arr, requires_grad=grad)
    theirs_x = torch.tensor(arr, requires_grad=grad)
    try:
        theirs = fn(torch, theirs_x)
    except Exception as e:  # noqa: BLE001 - the same failure is what we check
        with pytest.raises(type(e)) as info:
            fn(gt, ours_x)
        assert str(info.value) == str(e)
        return None
    ours = fn(gt, ours_x)
    assert_same(ours, theirs)
    if not grad:
        return ours
    out_o = ours[0] if isinstance(ours, tuple) else ours
    out_t = theirs[0] if isinstance(theirs, tuple) else theirs
    if check_grad_fn:
        assert type(out_o.grad_fn).__name__ == type(out_t.grad_fn).__name__
    if out_t.numel() == 0:  # torch's backward refuses empty pooling outputs
        return ours
    up = np.random.default_rng(1).standard_normal(tuple(out_t.shape)).astype(arr.dtype)
    out_o.backward(gt.tensor(up))
    out_t.backward(torch.tensor(up))
    assert_same(ours_x.grad, theirs_x.grad)
    return ours


MAX2D = [dict(kernel_size=k, stride=s, padding=p, dilation=d, ceil_mode=c)
         for k, s, p, d, c in itertools.product([2, 3, (2, 3)], [None, 1, (1, 2)], [0, 1],
                                                [1, 2], [False, True])]


@needs_torch
@pytest.mark.parametrize("kw", MAX2D, ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_max_pool2d_grid(torch, kw, dtype):
    for shape, ties in (((2, 3, 7, 8), False), ((3, 6, 5), True)):
        arr = _input(shape, dtype, ties=ties)
        compare(torch, lambda lib, x: lib.nn.functional.max_pool2d(x, return_indices=True, **kw),
                arr)


@needs_torch
@pytest.mark.parametrize("kw", [dict(kernel_size=k, stride=s, padding=p, dilation=d, ceil_mode=c)
                                for k, s, p, d, c in itertools.product(
                                    [1, 2, 3], [None, 1, 2], [0, 1], [1, 2], [False, True])],
                         ids=str)
def test_max_pool1d_grid(torch, kw):
    for shape, ties in (((2, 3, 9), False), ((4, 8), True)):
        arr = _input(shape, ties=ties)
        compare(torch, lambda lib, x: lib.nn.functional.max_pool1d(x, **kw), arr)
        compare(torch, lambda lib, x: lib.nn.functional.max_pool1d(x, return_indices=True, **kw),
                arr)


AVG2D = [dict(kernel_size=k, stride=s, padding=p, ceil_mode=c, count_include_pad=i)
         for k, s, p, c, i in itertools.product([2, 3, (3, 2)], [None, 1, (2, 1)], [0, 1],
                                                [False, True], [True, False])]
AVG2D += [dict(kernel_size=3, stride=s, padding=1, ceil_mode=c, divisor_override=5)
          for s, c in itertools.product([1, 2], [False, True])]


@needs_torch
@pytest.mark.parametrize("kw", AVG2D, ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_avg_pool2d_grid(torch, kw, dtype):
    for shape in ((2, 3, 7, 8), (3, 6, 5)):
        compare(torch, lambda lib, x: lib.nn.functional.avg_pool2d(x, **kw), _input(shape, dtype))


@needs_torch
@pytest.mark.parametrize("kw", [dict(kernel_size=k, stride=s, padding=p, ceil_mode=c,
                                     count_include_pad=i)
                                for k, s, p, c, i in itertools.product(
                                    [1, 2, 3], [None, 1, 2], [0, 1], [False, True],
                                    [True, False])], ids=str)
def test_avg_pool1d_grid(torch, kw):
    for shape in ((2, 3, 9), (4, 8)):
        compare(torch, lambda lib, x: lib.nn.functional.avg_pool1d(x, **kw), _input(shape))


@needs_torch
@pytest.mark.parametrize("dtype", ["int64", "int32"])
def test_integer_pooling(torch, dtype):
    arr = np.random.default_rng(0).integers(-20, 20, size=(2, 3, 6, 7)).astype(dtype)
    for fn in (lambda lib, x: lib.nn.functional.avg_pool2d(x, 3, 1, 1),
               lambda lib, x: lib.nn.functional.avg_pool2d(x, 2, ceil_mode=True),
               lambda lib, x: lib.nn.functional.max_pool2d(x, 3, 2, 1, return_indices=True),
               lambda lib, x: lib.nn.functional.max_pool1d(x[0], 2, return_indices=True),
               lambda lib, x: lib.nn.functional.max_pool1d(x[0], 2)):
        compare(torch, fn, arr, grad=False)


ADAPTIVE_SIZES = [1, 2, 3, 4, 5, 7, 9, (None, 3), (3, None), (2, 5), 0]


@needs_torch
@pytest.mark.parametrize("size", ADAPTIVE_SIZES, ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_adaptive_pool2d(torch, size, dtype):
    for shape, ties in (((2, 3, 7, 6), False), ((3, 4, 4), True)):
        arr = _input(shape, dtype, ties=ties)
        compare(torch, lambda lib, x: lib.nn.functional.adaptive_avg_pool2d(x, size), arr)
        compare(torch, lambda lib, x: lib.nn.functional.adaptive_max_pool2d(x, size, True), arr)


@needs_torch
@pytest.mark.parametrize("size", [1, 2, 3, 4, 6, 7, 11, (3,), 0], ids=str)
def test_adaptive_pool1d(torch, size):
    for shape, ties in (((2, 3, 7), False), ((3, 6), True)):
        arr = _input(shape, ties=ties)
        compare(torch, lambda lib, x: lib.nn.functional.adaptive_avg_pool1d(x, size), arr)
        compare(torch, lambda lib, x: lib.nn.functional.adaptive_max_pool1d(x, size), arr)
        compare(torch, lambda lib, x: lib.nn.functional.adaptive_max_pool1d(x, size, True), arr)


@needs_torch
def test_max_pool_nan_and_infinite_windows(torch):
    arr = _input((1, 2, 6, 6), "float64")
    arr[0, 0, 1, 1] = arr[0, 0, 0, 1] = np.nan  # two NaNs in one window: torch keeps the last
    arr[0, 1, :3, :3] = -np.inf  # a window of -inf next to the -inf padding
    for fn in (lambda lib, x: lib.nn.functional.max_pool2d(x, 3, 2, 1, return_indices=True),
               lambda lib, x: lib.nn.functional.max_pool2d(x, 2, return_indices=True),
               lambda lib, x: lib.nn.functional.adaptive_max_pool2d(x, 4, True)):
        compare(torch, fn, arr)


@needs_torch
@pytest.mark.parametrize("fn", [
    lambda lib, x: lib.nn.functional.max_pool2d(x, 3, 2, 1),
    lambda lib, x: lib.nn.functional.max_pool2d(x, 2),
    lambda lib, x: lib.nn.functional.avg_pool2d(x, 3, 2, 1, count_include_pad=False),
    lambda lib, x: lib.nn.functional.adaptive_avg_pool2d(x, 3),
    lambda lib, x: lib.nn.functional.adaptive_max_pool2d(x, 3),
    lambda lib, x: lib.nn.functional.max_pool1d(x, 2),
    lambda lib, x: lib.nn.functional.avg_pool1d(x, 3, 2),
    lambda lib, x: lib.nn.functional.adaptive_max_pool1d(x, 4),
])
def test_double_backward(torch, fn):
    """grad of (grad . v) with respect to the upstream gradient: the forward map again."""
    one_d = any(name.endswith("1d") for name in fn.__code__.co_names)
    arr = _input((2, 5, 7) if one_d else (2, 5, 6, 7), "float64")
    res = []
    for lib in (gt, torch):
        x = lib.tensor(arr, requires_grad=True)
        y = fn(lib, x)
        w = lib.tensor(np.random.default_rng(2).standard_normal(tuple(y.shape)),
                       requires_grad=True)
        (g,) = lib.autograd.grad((y * w).sum(), x, create_graph=True)
        v = lib.tensor(np.random.default_rng(3).standard_normal(tuple(g.shape)))
        (gw,) = lib.autograd.grad((g * v).sum(), w)
        res.append((type(g.grad_fn).__name__, g, gw))
    assert res[0][0] == res[1][0]
    assert_same(res[0][1], res[1][1])
    assert_same(res[0][2], res[1][2])


@pytest.mark.parametrize("fn", [
    lambda x: gt.nn.functional.max_pool2d(x, 3, 2, 1, ceil_mode=True),
    lambda x: gt.nn.functional.max_pool2d(x, (2, 3), 1, dilation=2),
    lambda x: gt.nn.functional.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
    lambda x: gt.nn.functional.avg_pool2d(x, 2, divisor_override=3),
    lambda x: gt.nn.functional.adaptive_avg_pool2d(x, (3, 4)),
    lambda x: gt.nn.functional.adaptive_max_pool2d(x, (4, 3)),
    lambda x: gt.nn.functional.max_pool1d(x[0], 3, 2, 1),
    lambda x: gt.nn.functional.avg_pool1d(x[0], 3, 2, 1),
    lambda x: gt.nn.functional.adaptive_max_pool1d(x[0], 4),
    lambda x: gt.nn.functional.adaptive_avg_pool1d(x[0], 4),
])
def test_gradcheck(fn):
    # distinct values at least 0.01 apart: a finite difference never changes which is the max
    arr = np.random.default_rng(0).permutation(2 * 5 * 7).reshape(2, 5, 7) * 0.01
    x = gt.tensor(arr, dtype=gt.float64, requires_grad=True)
    assert gradcheck(fn, (x,))


# ---- errors ------------------------------------------------------------------------------------
ERRORS = [
    "F.max_pool2d(x, 3, padding=2)", "F.max_pool2d(x, 3, padding=2, dilation=2)",
    "F.max_pool2d(x, 0)", "F.max_pool2d(x, 0, 1)", "F.max_pool2d(x, 2, dilation=0)",
    "F.max_pool2d(x, 2, padding=-1)", "F.max_pool2d(x, 8)", "F.max_pool2d(x, (2, 8))",
    "F.max_pool2d(x, (2, 2, 2))", "F.max_pool2d(x, 2, stride=(1, 1, 1))",
    "F.max_pool2d(x, 2, padding=(1, 1, 1))", "F.max_pool2d(x, 2, dilation=(1, 1, 1))",
    "F.max_pool2d(x, 2, stride=-1)", "F.max_pool2d(x[0, 0], 2)", "F.max_pool2d(x[:, :0], 2)",
    "F.max_pool2d(x.bool(), 2)", "F.max_pool2d(x[None], 2)",
    "F.max_pool1d(x[0], 3, padding=2)", "F.max_pool1d(x[0], 8)", "F.max_pool1d(x[0], 0)",
    "F.max_pool1d(x[0], 2, stride=0)", "F.max_pool1d(x[0, 0, 0], 2)", "F.max_pool1d(x, 2)",
    "F.max_pool1d(x[0].long(), 2)", "F.max_pool1d(x[0], (2, 2))", "F.max_pool1d(x[0], 2, (2, 2))",
    "F.max_pool1d(x[0], 2, 1, -1)", "F.max_pool1d(x[0], 2, 1, 1, 0)",
    "F.max_pool1d(x[0, :, :0], 2)",
    "F.avg_pool2d(x, 3, padding=2)", "F.avg_pool2d(x, 2, stride=0)", "F.avg_pool2d(x, 8)",
    "F.avg_pool2d(x, 2, divisor_override=0)", "F.avg_pool2d(x[0, 0], 2)",
    "F.avg_pool2d(x.bool(), 2)", "F.avg_pool2d(x[:, :0], 2)", "F.avg_pool2d(x, (2, 2, 2))",
    "F.avg_pool1d(x[0], 3, padding=2)", "F.avg_pool1d(x[0], 8)", "F.avg_pool1d(x[0], 0)",
    "F.avg_pool1d(x[0, 0, 0], 2)", "F.avg_pool1d(x, 2)", "F.avg_pool1d(x[0], (2, 2))",
    "F.avg_pool1d(x[0, :, :0], 2)",
    "F.adaptive_avg_pool2d(x, -1)", "F.adaptive_avg_pool2d(x, (2,))",
    "F.adaptive_avg_pool2d(x, (2, 3, 4))", "F.adaptive_avg_pool2d(x[0, 0], 2)",
    "F.adaptive_avg_pool2d(x.long(), 2)", "F.adaptive_avg_pool2d(x, (2.5, 3))",
    "F.adaptive_avg_pool2d(x[:, :, :0], 2)", "F.adaptive_avg_pool1d(x[0], (2, 3))",
    "F.adaptive_avg_pool1d(x[0, 0, 0], 2)", "F.adaptive_avg_pool1d(x[0], -1)",
    "F.adaptive_avg_pool1d(x[0], None)", "F.adaptive_avg_pool1d(x[0], (None,))",
    "F.adaptive_avg_pool1d(x[0, :, :, :0], 2)",
    "F.adaptive_max_pool2d(x, -1)", "F.adaptive_max_pool2d(x, (1, 2, 3))",
    "F.adaptive_max_pool2d(x[0, 0], 2)", "F.adaptive_max_pool2d(x.long(), 2)",
    "F.adaptive_max_pool2d(x[:, :0], 2)", "F.adaptive_max_pool1d(x[0], -1)",
    "F.adaptive_max_pool1d(x[0], (2, 3))", "F.adaptive_max_pool1d(x[0].long(), 2)",
    "F.adaptive_max_pool1d(x[0, :, :, :0], 2)",
]


@needs_torch
@pytest.mark.parametrize("code", ERRORS)
def test_errors_match_torch(torch, code):
    arr = _input((2, 3, 7, 7))
    errors = []
    for lib in (gt, torch):
        with pytest.raises(Exception) as info:
            eval(code, {"F": lib.nn.functional, "x": lib.tensor(arr)})
        errors.append((type(info.value), str(info.value)))
    assert errors[0] == errors[1]


# ---- layers ------------------------------------------------------------------------------------
LAYERS = [
    "MaxPool1d(2)", "MaxPool1d(3, 2, 1, 2, True, True)", "MaxPool2d(2)",
    "MaxPool2d((2, 3), (1, 2), (1, 1), 2, True, True)", "MaxPool2d(3, stride=1, padding=1)",
    "AvgPool1d(2)", "AvgPool1d(3, 2, 1, True, False)", "AvgPool2d(2)",
    "AvgPool2d((2, 3), 1, 1, True, False, 3)", "AvgPool2d(kernel_size=2, stride=2)",
    "AdaptiveAvgPool1d(3)", "AdaptiveAvgPool2d((1, 1))", "AdaptiveAvgPool2d(3)",
    "AdaptiveAvgPool2d((None, 3))", "AdaptiveMaxPool1d(3)", "AdaptiveMaxPool1d(3, True)",
    "AdaptiveMaxPool2d((2, 2), True)", "AdaptiveMaxPool2d(2)",
]


@needs_torch
@pytest.mark.parametrize("code", LAYERS)
def test_layers_match_torch(torch, code):
    ours, theirs = eval("gnn." + code), eval("torch.nn." + code)
    assert repr(ours) == repr(theirs)
    for name in ("kernel_size", "stride", "padding", "dilation", "ceil_mode", "return_indices",
                 "count_include_pad", "divisor_override", "output_size"):
        assert getattr(ours, name, "absent") == getattr(theirs, name, "absent"), name
    shape = (2, 3, 9) if "1d" in code else (2, 3, 9, 8)
    arr = _input(shape)
    compare(torch, lambda lib, x: eval(f"lib.nn.{code}")(x), arr)
    compare(torch, lambda lib, x: eval(f"lib.nn.{code}")(x[0]), arr)


def test_lenet_pooling_shapes():
    x = gt.randn(4, 6, 28, 28, requires_grad=True)
    y = gnn.AvgPool2d(kernel_size=2, stride=2)(x)
    assert y.shape == (4, 6, 14, 14)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full((4, 6, 28, 28), 0.25, np.float32))
    z = gnn.MaxPool2d(2)(x.detach())
    assert z.dtype == gt.float32 and z.shape == (4, 6, 14, 14)


@needs_torch
def test_max_pool_infinite_upstream_gradient(torch):
    arr = _input((1, 2, 5, 6), "float64")
    up = np.ones((1, 2, 5, 6))
    up[0, 0, 1, 2], up[0, 1, 3, 3] = np.inf, np.nan
    grads = []
    for lib in (gt, torch):
        x = lib.tensor(arr, requires_grad=True)
        lib.nn.functional.max_pool2d(x, 3, 1, 1).backward(lib.tensor(up))
        grads.append(x.grad)
    assert_same(grads[0], grads[1])
