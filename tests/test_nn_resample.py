"""Padding and resampling against torch: ``F.pad`` in every mode and ``F.interpolate`` in the
nearest and linear modes — values, gradients, grad_fn names, double backward, errors — plus
float64 gradchecks and the padding and upsampling layers."""

from __future__ import annotations

import numpy as np
import pytest

import glasstorch as gt
from glasstorch.autograd import gradcheck
from oracle import assert_same, needs_torch
from test_nn_pool import compare


def _input(shape, dtype="float32", seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


# ---- pad ---------------------------------------------------------------------------------------
PADS_1D = [(1, 1), (2, 0), (0, 3), (3, 3), (-1, 2), (2, -1), (-2, -1), (4, 4), (5, 1)]
PADS_2D = [(1, 1, 1, 1), (2, 0, 0, 3), (-1, 2, 1, -2), (3, 1, 4, 0), (0, 0, 2, 2), (5, 0, 0, 5)]


@needs_torch
@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("pads", PADS_1D + PADS_2D, ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_pad_modes(torch, mode, pads, dtype):
    for shape in ((2, 3, 4, 5), (3, 4, 5), (3, 5)):
        compare(torch, lambda lib, x: lib.nn.functional.pad(x, pads, mode=mode),
                _input(shape, dtype))


@needs_torch
@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
def test_pad_three_dims_and_integers(torch, mode):
    pads = (1, 2, 2, 1, 1, 0)
    compare(torch, lambda lib, x: lib.nn.functional.pad(x, pads, mode=mode),
            _input((2, 3, 4, 5, 3), "float64"))
    ints = np.arange(2 * 3 * 4).reshape(2, 3, 4)
    compare(torch, lambda lib, x: lib.nn.functional.pad(x, (2, 1), mode=mode), ints, grad=False)


@needs_torch
@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
def test_pad_double_backward(torch, mode):
    arr = _input((2, 3, 4, 5), "float64")
    res = []
    for lib in (gt, torch):
        x = lib.tensor(arr, requires_grad=True)
        y = lib.nn.functional.pad(x, (2, 1, 1, 3), mode=mode)
        w = lib.tensor(_input(tuple(y.shape), "float64", 2), requires_grad=True)
        (g,) = lib.autograd.grad((y * w).sum(), x, create_graph=True)
        (gw,) = lib.autograd.grad((g * lib.tensor(_input(tuple(g.shape), "float64", 3))).sum(), w)
        res.append((type(g.grad_fn).__name__, g, gw))
    assert res[0][0] == res[1][0]
    assert_same(res[0][1], res[1][1])
    assert_same(res[0][2], res[1][2])


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
def test_pad_gradcheck(mode):
    x = gt.tensor(_input((2, 3, 4), "float64"), requires_grad=True)
    assert gradcheck(lambda t: gt.nn.functional.pad(t, (3, 1, -1, 2), mode=mode), (x,))


PAD_ERRORS = [
    "F.pad(x, (5, 0, 1, 1), mode='reflect')", "F.pad(x, (1, 1, 4, 1), mode='reflect')",
    "F.pad(x[0], (5, 0), mode='reflect')", "F.pad(x, (1, 1), mode='reflect')",
    "F.pad(x[0], (1, 1, 1, 1, 1, 1), mode='replicate')",
    "F.pad(x[0, 0, 0], (1, 1), mode='reflect')",
    "F.pad(x[0, 0, 0], (1, 1), mode='circular')", "F.pad(x, (1,), mode='reflect')",
    "F.pad(x, (1, 1), mode='bogus')", "F.pad(x[0], (1, 1), mode='reflect', value=2)",
    "F.pad(x[0].bool(), (1, 1), mode='reflect')", "F.pad(x[0].bool(), (1, 1), mode='replicate')",
    "F.pad(x[:, :0], (1, 1, 1, 1), mode='reflect')", "F.pad(x[0, :, :0], (1, 1), mode='replicate')",
    "F.pad(x[0], (6, 2), mode='circular')", "F.pad(x[0], (-3, -3), mode='replicate')",
    "F.pad(x[0], (-3, -3), mode='reflect')", "F.pad(x[0], (-4, -2), mode='circular')",
    "F.pad(x, [1.5, 1])", "F.pad(x, 1)", "F.pad(x, (1, 2, 3))",
    "F.pad(x, (1, 1, 1, 1, 1, 1, 1, 1, 1, 1))",
]


@needs_torch
@pytest.mark.parametrize("code", PAD_ERRORS)
def test_pad_errors(torch, code):
    _same_error(torch, code, (2, 3, 4, 5))


def _same_error(torch, code, shape):
    arr = _input(shape)
    errors = []
    for lib in (gt, torch):
        with pytest.raises(Exception) as info:
            eval(code, {"F": lib.nn.functional, "x": lib.tensor(arr)})
        errors.append((type(info.value), str(info.value)))
    assert errors[0] == errors[1]


# ---- interpolate -------------------------------------------------------------------------------
SIZES = [dict(scale_factor=2), dict(scale_factor=3), dict(scale_factor=0.5),
         dict(scale_factor=1.7), dict(scale_factor=1.7, recompute_scale_factor=True),
         dict(scale_factor=0.6), dict(size=7), dict(size=3), dict(size=1), dict(scale_factor=1.1)]


@needs_torch
@pytest.mark.parametrize("mode", ["nearest", "nearest-exact", "linear"])
@pytest.mark.parametrize("kw", SIZES, ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_interpolate_1d(torch, mode, kw, dtype):
    extra = [{}, {"align_corners": True}] if mode == "linear" else [{}]
    for more in extra:
        compare(torch, lambda lib, x, more=more: lib.nn.functional.interpolate(
            x, mode=mode, **kw, **more), _input((2, 3, 5), dtype))


SIZES_2D = SIZES + [dict(scale_factor=(2, 0.5)), dict(size=(3, 8)), dict(scale_factor=(1.5, 3))]


@needs_torch
@pytest.mark.parametrize("mode", ["nearest", "nearest-exact", "bilinear", "bicubic"])
@pytest.mark.parametrize("kw", SIZES_2D, ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_interpolate_2d(torch, mode, kw, dtype):
    extra = [{}, {"align_corners": True}] if mode in ("bilinear", "bicubic") else [{}]
    for more in extra:
        compare(torch, lambda lib, x, more=more: lib.nn.functional.interpolate(
            x, mode=mode, **kw, **more), _input((2, 3, 5, 6), dtype))


@needs_torch
@pytest.mark.parametrize("mode", ["nearest", "trilinear", "area"])
def test_interpolate_other_modes(torch, mode):
    shape = (1, 2, 3, 4, 5) if mode != "area" else (2, 3, 5, 6)
    for kw in (dict(scale_factor=2), dict(size=(2, 3, 4) if mode != "area" else (2, 3))):
        compare(torch, lambda lib, x, kw=kw: lib.nn.functional.interpolate(x, mode=mode, **kw),
                _input(shape, "float64"))


@needs_torch
def test_interpolate_uint8_nearest_and_large_sizes(torch):
    img = np.random.default_rng(0).integers(0, 256, size=(1, 3, 28, 28)).astype(np.uint8)
    compare(torch, lambda lib, x: lib.nn.functional.interpolate(x, size=224), img, grad=False)
    compare(torch, lambda lib, x: lib.nn.functional.interpolate(x, size=(96, 61), mode="bilinear"),
            _input((2, 1, 28, 28)))


@needs_torch
@pytest.mark.parametrize("mode", ["nearest", "bilinear", "bicubic"])
def test_interpolate_double_backward(torch, mode):
    arr = _input((2, 3, 4, 5), "float64")
    res = []
    for lib in (gt, torch):
        x = lib.tensor(arr, requires_grad=True)
        y = lib.nn.functional.interpolate(x, scale_factor=1.5, mode=mode)
        w = lib.tensor(_input(tuple(y.shape), "float64", 2), requires_grad=True)
        (g,) = lib.autograd.grad((y * w).sum(), x, create_graph=True)
        (gw,) = lib.autograd.grad((g * lib.tensor(_input(tuple(g.shape), "float64", 3))).sum(), w)
        res.append((type(g.grad_fn).__name__, g, gw))
    assert res[0][0] == res[1][0]
    assert_same(res[0][1], res[1][1])
    assert_same(res[0][2], res[1][2])


@pytest.mark.parametrize("mode,shape,more", [
    ("nearest", (2, 3, 4), {}), ("linear", (2, 3, 4), {}),
    ("linear", (2, 3, 4), {"align_corners": True}), ("bilinear", (1, 2, 3, 4), {}),
    ("bilinear", (1, 2, 3, 4), {"align_corners": True}), ("nearest-exact", (1, 2, 3, 4), {}),
    ("bicubic", (1, 2, 3, 4), {}), ("bicubic", (1, 2, 3, 4), {"align_corners": True}),
    ("bilinear", (1, 2, 5, 4), {"antialias": True}), ("bicubic", (1, 2, 5, 4), {"antialias": True}),
])
def test_interpolate_gradcheck(mode, shape, more):
    x = gt.tensor(_input(shape, "float64"), requires_grad=True)
    for kw in (dict(scale_factor=2.5), dict(size=2)):
        fn = lambda t, kw=kw: gt.nn.functional.interpolate(t, mode=mode, **kw, **more)  # noqa: E731
        assert gradcheck(fn, (x,))


INTERP_ERRORS = [
    "F.interpolate(x, size=3, scale_factor=2)", "F.interpolate(x)",
    "F.interpolate(x, scale_factor=2, align_corners=True)",
    "F.interpolate(x, scale_factor=2, mode='nearest', align_corners=False)",
    "F.interpolate(x, scale_factor=2, mode='linear')",
    "F.interpolate(x[0], scale_factor=2, mode='bilinear')",
    "F.interpolate(x, scale_factor=2, mode='trilinear')",
    "F.interpolate(x, scale_factor=2, mode='bogus')",
    "F.interpolate(x, size=(3, 4, 5))", "F.interpolate(x, scale_factor=(2, 2, 2))",
    "F.interpolate(x, size=0)", "F.interpolate(x, scale_factor=0.1)",
    "F.interpolate(x[0, 0], scale_factor=2)", "F.interpolate(x.long(), scale_factor=2)",
    "F.interpolate(x[0].long(), scale_factor=2)", "F.interpolate(x, size=(3.5, 4))",
    "F.interpolate(x, scale_factor=2, antialias=True)",
    "F.interpolate(x, size=3, recompute_scale_factor=True)",
    "F.interpolate(x[:, :0], scale_factor=2)", "F.interpolate(x[:, :, :0], scale_factor=2)",
    "F.interpolate(x[0, :, :0], scale_factor=2, mode='linear')",
    "F.interpolate(x[0], scale_factor=2, mode='bicubic')",
]


@needs_torch
@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("kw", [dict(scale_factor=0.5), dict(scale_factor=0.3), dict(size=(3, 2)),
                                dict(scale_factor=2), dict(size=(7, 11)), dict(scale_factor=0.7),
                                dict(scale_factor=0.5, align_corners=True)], ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_interpolate_antialias(torch, mode, kw, dtype):
    compare(torch, lambda lib, x: lib.nn.functional.interpolate(x, mode=mode, antialias=True,
                                                                **kw), _input((2, 3, 9, 10), dtype))


@needs_torch
@pytest.mark.parametrize("code", INTERP_ERRORS)
def test_interpolate_errors(torch, code):
    _same_error(torch, code, (2, 3, 4, 5))


# ---- layers ------------------------------------------------------------------------------------
PAD_LAYERS = ["ZeroPad2d(2)", "ZeroPad2d((1, 2, 3, 4))", "ZeroPad1d(2)", "ConstantPad1d(2, 3.5)",
              "ConstantPad1d((1, 2), 3)", "ConstantPad2d(1, 0.0)",
              "ConstantPad2d((1, 0, 2, 3), -1)",
              "ReflectionPad1d(2)", "ReflectionPad2d((1, 2, 3, 0))", "ReplicationPad1d(3)",
              "ReplicationPad2d(1)", "CircularPad1d(1)", "CircularPad2d((1, 2, 0, 1))"]
UP_LAYERS = ["Upsample(scale_factor=2)", "Upsample(size=3)",
             "Upsample(size=(3, 4), mode='bilinear')",
             "Upsample(scale_factor=2, mode='bilinear', align_corners=True)",
             "Upsample(scale_factor=(2.0, 3.0))", "UpsamplingNearest2d(scale_factor=2)",
             "UpsamplingBilinear2d(size=3)"]


@needs_torch
@pytest.mark.parametrize("code", PAD_LAYERS + UP_LAYERS)
def test_layers_match_torch(torch, code):
    ours, theirs = eval("gt.nn." + code), eval("torch.nn." + code)
    assert repr(ours) == repr(theirs)
    for name in ("padding", "value", "size", "scale_factor", "mode", "align_corners"):
        assert getattr(ours, name, "absent") == getattr(theirs, name, "absent"), name
    arr = _input((2, 3, 4, 5))
    compare(torch, lambda lib, x: eval(f"lib.nn.{code}")(x), arr)
    if "Pad1d" in code or "Pad2d" in code:
        compare(torch, lambda lib, x: eval(f"lib.nn.{code}")(x[0]), arr)


def test_pad_modes_on_a_small_example():
    x = gt.tensor([[[1.0, 2.0, 3.0]]])
    F = gt.nn.functional
    assert F.pad(x, (2, 2), mode="reflect").tolist() == [[[3, 2, 1, 2, 3, 2, 1]]]
    assert F.pad(x, (2, 2), mode="replicate").tolist() == [[[1, 1, 1, 2, 3, 3, 3]]]
    assert F.pad(x, (2, 2), mode="circular").tolist() == [[[2, 3, 1, 2, 3, 1, 2]]]
    assert F.pad(x, (2, 2), value=9).tolist() == [[[9, 9, 1, 2, 3, 9, 9]]]


def test_upsample_keeps_float32():
    x = gt.randn(2, 3, 5, 5)
    for mode in ("nearest", "bilinear", "nearest-exact"):
        assert gt.nn.functional.interpolate(x, scale_factor=2, mode=mode).dtype == gt.float32
