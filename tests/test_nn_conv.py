"""Convolutions against torch: F.conv1d / F.conv2d (values, dtypes, every gradient, double
backward, float64 gradchecks, errors) and the layers Conv1d, Conv2d, LazyConv1d, LazyConv2d
(printed forms, initialisation, state dicts, padding modes)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import glasstorch as gt
from oracle import assert_same, both, needs_torch, raised, same_error, torch


def rand(*shape, seed=0, dtype=np.float64):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


# ---- F.conv2d / F.conv1d: forward and all gradients ------------------------------------------
# (input shape, weight shape, keyword arguments)
CONV2D_CASES = [
    ((2, 3, 7, 8), (4, 3, 3, 2), {}),
    ((2, 3, 7, 8), (4, 3, 3, 3), {"padding": 1}),
    ((3, 2, 9, 6), (5, 2, 3, 2), {"stride": (2, 3), "padding": (2, 1)}),
    ((2, 3, 10, 9), (4, 3, 3, 3), {"dilation": (2, 1), "padding": 2, "stride": 2}),
    ((2, 4, 8, 7), (6, 2, 3, 3), {"groups": 2, "padding": (1, 0)}),
    ((2, 6, 7, 7), (6, 1, 3, 3), {"groups": 6, "padding": 1}),  # depthwise
    ((2, 3, 7, 7), (6, 1, 3, 3), {"groups": 3, "stride": 2}),  # depthwise, multiplier 2
    ((2, 3, 8, 7), (4, 3, 3, 5), {"padding": "same"}),
    ((2, 3, 8, 7), (4, 3, 4, 2), {"padding": "same", "dilation": (1, 3)}),  # uneven split
    ((2, 3, 8, 7), (4, 3, 3, 3), {"padding": "valid"}),
    ((3, 8, 7), (4, 3, 3, 3), {"padding": 1}),  # unbatched
    ((1, 1, 5, 5), (2, 1, 5, 5), {}),  # kernel as large as the input
    # one input channel (the batch-first columns of _im2col): strides, dilation, uneven padding
    ((3, 1, 9, 8), (4, 1, 5, 3), {"padding": 2, "stride": (2, 1), "dilation": (1, 2)}),
    ((2, 1, 7, 6), (3, 1, 4, 2), {"padding": "same"}),
    ((2, 2, 3, 3), (3, 2, 2, 2), {"stride": 5, "padding": 4}),  # wide padding, big stride
    ((3, 2, 6, 6), (3, 2, 1, 1), {}),  # 1x1
]
CONV1D_CASES = [
    ((2, 3, 11), (4, 3, 3), {}),
    ((2, 3, 11), (4, 3, 4), {"stride": 2, "padding": 1, "dilation": 2}),
    ((2, 1, 11), (3, 1, 3), {"padding": 1}),  # one channel
    ((2, 4, 9), (6, 2, 3), {"groups": 2, "padding": (1,)}),
    ((2, 4, 9), (4, 1, 5), {"groups": 4, "padding": "same"}),
    ((2, 3, 9), (4, 3, 4), {"padding": "same"}),
    ((3, 10), (4, 3, 3), {"stride": 3}),  # unbatched
]


def _run(lib, fn, x, w, b, kwargs, grad_out):
    xs = [lib.tensor(a, requires_grad=True) for a in (x, w)]
    bias = lib.tensor(b, requires_grad=True) if b is not None else None
    out = getattr(lib.nn.functional, fn)(xs[0], xs[1], bias, **kwargs)
    out.backward(lib.tensor(grad_out))
    grads = [t.grad for t in xs] + ([bias.grad] if bias is not None else [])
    return out, grads


def _compare(fn, xshape, wshape, kwargs, bias, dtype, scaled=False):
    x, w = rand(*xshape, dtype=dtype), rand(*wshape, seed=1, dtype=dtype)
    b = rand(wshape[0], seed=2, dtype=dtype) if bias else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 'same' with an even kernel warns in both
        ref = getattr(torch.nn.functional, fn)(
            torch.tensor(x), torch.tensor(w), torch.tensor(b) if bias else None, **kwargs
        )
        g = rand(*ref.shape, seed=3, dtype=dtype)
        out_o, grads_o = _run(gt, fn, x, w, b, kwargs, g)
        out_t, grads_t = _run(torch, fn, x, w, b, kwargs, g)
    # float32: sums of up to a few dozen products, summed in another order than torch's
    tol = {"rtol": 1e-5, "atol": 1e-5} if dtype == np.float32 else {}
    assert out_o.grad_fn.name() == out_t.grad_fn.name()
    for name, a, t in zip(("output", "input", "weight", "bias"), [out_o] + grads_o,
                          [out_t] + grads_t):
        if scaled:
            # a weight gradient sums N*H*W float32 products (50,000 here) whose rounding
            # differs with the order: the error scales with the largest entry, not each entry
            tol = {"rtol": 1e-5, "atol": 1e-5 * float(np.abs(t.detach().numpy()).max())}
        assert_same(a, t, **tol, msg=name)


@needs_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("xshape,wshape,kwargs", CONV2D_CASES)
def test_conv2d_matches_torch(xshape, wshape, kwargs, bias, dtype):
    _compare("conv2d", xshape, wshape, kwargs, bias, dtype)


@needs_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("xshape,wshape,kwargs", CONV1D_CASES)
def test_conv1d_matches_torch(xshape, wshape, kwargs, bias, dtype):
    _compare("conv1d", xshape, wshape, kwargs, bias, dtype)


@needs_torch
def test_lenet_shapes_float32_match_torch():
    """The two convolutions of d2l's LeNet at batch 64 (several im2col chunks)."""
    _compare("conv2d", (64, 1, 28, 28), (6, 1, 5, 5), {"padding": 2}, True, np.float32, True)
    _compare("conv2d", (64, 6, 14, 14), (16, 6, 5, 5), {}, True, np.float32, True)
    _compare("conv2d", (64, 6, 14, 14), (16, 6, 5, 5), {}, True, np.float64)


@needs_torch
def test_grad_fn_names_and_only_needed_gradients(torch):
    x = gt.tensor(rand(2, 3, 6, 6))
    w = gt.tensor(rand(4, 3, 3, 3), requires_grad=True)
    out = gt.nn.functional.conv2d(x, w)
    assert out.grad_fn.name() == "ConvolutionBackward0"
    out.sum().backward()
    assert x.grad is None and w.grad is not None
    unbatched = gt.nn.functional.conv2d(gt.tensor(rand(3, 6, 6)), w)
    ref = torch.nn.functional.conv2d(torch.tensor(rand(3, 6, 6)), torch.tensor(rand(4, 3, 3, 3),
                                                                                requires_grad=True))
    assert unbatched.grad_fn.name() == ref.grad_fn.name() == "SqueezeBackward1"
    with gt.no_grad():
        assert gt.nn.functional.conv2d(x, w).grad_fn is None


@needs_torch
@pytest.mark.parametrize("dtype", [np.int64, np.int32])
def test_integer_convolution_matches_torch(dtype):
    x = np.arange(2 * 3 * 5 * 5).reshape(2, 3, 5, 5).astype(dtype) % 7
    w = np.arange(4 * 3 * 2 * 2).reshape(4, 3, 2, 2).astype(dtype) % 5 - 2
    ours, theirs = both(lambda lib: lib.nn.functional.conv2d(lib.tensor(x), lib.tensor(w),
                                                              stride=2, padding=1))
    assert_same(ours, theirs)


@needs_torch
def test_empty_batch_matches_torch():
    ours, theirs = both(lambda lib: lib.nn.functional.conv2d(
        lib.zeros(0, 3, 8, 8), lib.ones(6, 3, 3, 3), lib.ones(6)))
    assert_same(ours, theirs)


def test_same_padding_with_an_even_kernel_warns_like_torch():
    # torch warns once per process (so an earlier test may have used its warning up): the
    # wording checked here is the start of torch's
    with pytest.warns(UserWarning, match="Using padding='same' with even kernel lengths and odd "
                                         "dilation may require a zero-padded copy of the input"):
        gt.nn.functional.conv2d(gt.zeros(1, 1, 5, 5), gt.zeros(1, 1, 2, 2), padding="same")


# ---- higher-order gradients ------------------------------------------------------------------
@needs_torch
@pytest.mark.parametrize("fn,xshape,wshape,kwargs", [
    ("conv2d", (2, 3, 7, 6), (4, 3, 3, 2), {"stride": (2, 1), "padding": (1, 2)}),
    ("conv2d", (2, 4, 7, 7), (6, 2, 3, 3), {"groups": 2, "dilation": 2, "padding": 2}),
    ("conv2d", (3, 6, 6), (4, 3, 2, 2), {"padding": "same"}),
    ("conv1d", (2, 3, 9), (4, 3, 3), {"stride": 2, "padding": 1, "dilation": 2}),
])
def test_double_backward_matches_torch(fn, xshape, wshape, kwargs):
    x, w, b = rand(*xshape), rand(*wshape, seed=1), rand(wshape[0], seed=2)

    def second(lib):
        xs = [lib.tensor(a, requires_grad=True) for a in (x, w, b)]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = getattr(lib.nn.functional, fn)(*xs, **kwargs)
        first = lib.autograd.grad((out ** 2).sum(), xs, create_graph=True)
        total = (first[0] ** 2).sum() + (first[1] ** 3).sum() + (first[2] * first[2]).sum()
        return list(first) + list(lib.autograd.grad(total, xs))

    ours, theirs = both(second)
    for a, t in zip(ours, theirs):
        assert_same(a, t, rtol=1e-7, atol=1e-7)


# ---- float64 finite differences --------------------------------------------------------------
@pytest.mark.parametrize("fn,xshape,wshape,kwargs", [
    ("conv2d", (2, 2, 5, 4), (3, 2, 3, 2), {"stride": (2, 1), "padding": 1}),
    ("conv2d", (1, 4, 5, 5), (4, 2, 2, 3), {"groups": 2, "dilation": (2, 1)}),
    ("conv2d", (3, 5, 5), (3, 1, 3, 3), {"groups": 3, "padding": "same"}),
    ("conv1d", (2, 2, 7), (3, 2, 3), {"stride": 2, "padding": 2, "dilation": 2}),
])
def test_gradcheck_float64(fn, xshape, wshape, kwargs):
    conv = getattr(gt.nn.functional, fn)
    inputs = [gt.tensor(rand(*s, seed=i), requires_grad=True)
              for i, s in enumerate((xshape, wshape, (wshape[0],)))]
    assert gt.autograd.gradcheck(lambda x, w, b: conv(x, w, b, **kwargs), inputs)
    # second order: finite differences of the create_graph gradients (what gradgradcheck does;
    # written out because gradgradcheck looks inputs up with ==, which fails for unequal shapes)
    g = gt.tensor(rand(*conv(*inputs[:2], **kwargs).shape, seed=5))

    def first(x, w):
        with gt.enable_grad():  # gradcheck runs its finite differences under no_grad
            return gt.autograd.grad(conv(x, w, **kwargs), [x, w], g, create_graph=True)

    assert gt.autograd.gradcheck(first, inputs[:2])


def test_input_gradient_by_rows_equals_col2im():
    """The input gradient with the kernel's columns in the product (``_grad_input_by_rows``)
    against the plain col2im scatter, over random geometries with width stride 1: groups,
    height strides, dilations and uneven paddings."""
    from glasstorch.nn.functional import _im2col as K
    rng = np.random.default_rng(3)
    checked = 0
    while checked < 60:
        groups, cg, cog = (int(v) for v in rng.integers(1, 4, 3))
        kh, kw, sh, dh, dw = (int(v) for v in rng.integers(1, 4, 5))
        pads = tuple((int(a), int(b)) for a, b in rng.integers(0, 3, (2, 2)))
        n, h, wd = (int(v) for v in rng.integers((1, 5, 5), (4, 11, 11)))
        ho = K.out_size(h, *pads[0], kh, sh, dh)
        wo = K.out_size(wd, *pads[1], kw, 1, dw)
        if ho <= 0 or wo <= 0:
            continue
        w = rng.standard_normal((groups * cog, cg, kh, kw))
        g = rng.standard_normal((n, groups * cog, ho, wo))
        geom = ((kh, kw), (sh, 1), (dh, dw), pads, (ho, wo))
        g_last = np.ascontiguousarray(g.transpose(1, 2, 3, 0))
        w_t = w.reshape(groups, cog, cg * kh * kw).transpose(0, 2, 1)
        expected = K._col2im(np.matmul(w_t, g_last.reshape(groups, cog, -1)),
                             (n, groups * cg, h, wd), *geom)
        got = K._grad_input_by_rows(g_last, K._row_weights(w, groups),
                                    (n, groups * cg, h, wd), *geom)
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
        checked += 1


# ---- errors ----------------------------------------------------------------------------------
def F(lib):
    return lib.nn.functional


ERRORS = {
    "channels": lambda lib: F(lib).conv2d(lib.zeros(256, 3, 28, 28), lib.zeros(6, 1, 5, 5)),
    "channels, groups": lambda lib: F(lib).conv2d(lib.zeros(2, 4, 8, 8), lib.zeros(6, 1, 3, 3),
                                                  groups=3),
    "channels, unbatched": lambda lib: F(lib).conv2d(lib.zeros(3, 8, 8), lib.zeros(6, 2, 3, 3)),
    "channels, conv1d": lambda lib: F(lib).conv1d(lib.zeros(2, 3, 8), lib.zeros(6, 2, 3)),
    "out channels not divisible": lambda lib: F(lib).conv2d(
        lib.zeros(2, 4, 8, 8), lib.zeros(6, 2, 3, 3), groups=4),
    "no filters": lambda lib: F(lib).conv2d(lib.zeros(2, 3, 8, 8), lib.zeros(0, 3, 3, 3)),
    "kernel too large": lambda lib: F(lib).conv2d(lib.zeros(2, 3, 4, 4), lib.zeros(6, 3, 5, 5)),
    "kernel too large, dilated": lambda lib: F(lib).conv2d(
        lib.zeros(2, 3, 4, 4), lib.zeros(6, 3, 3, 3), dilation=2),
    "kernel too large, conv1d": lambda lib: F(lib).conv1d(lib.zeros(2, 3, 4), lib.zeros(6, 3, 5)),
    "input dims": lambda lib: F(lib).conv2d(lib.zeros(3, 4), lib.zeros(6, 3, 3, 3)),
    "input dims, conv1d": lambda lib: F(lib).conv1d(lib.zeros(2, 3, 8, 8), lib.zeros(6, 3, 3)),
    "weight dims": lambda lib: F(lib).conv2d(lib.zeros(2, 3, 4, 4), lib.zeros(6, 3, 3)),
    "weight 2-d": lambda lib: F(lib).conv2d(lib.zeros(2, 3, 4, 4), lib.zeros(6, 3)),
    "weight 4-d in conv1d": lambda lib: F(lib).conv1d(lib.zeros(2, 3, 8), lib.zeros(6, 3, 3, 3)),
    "dtype input/weight": lambda lib: F(lib).conv2d(
        lib.zeros(2, 3, 4, 4), lib.zeros(6, 3, 3, 3, dtype=lib.float64)),
    "dtype double input": lambda lib: F(lib).conv2d(
        lib.zeros(2, 3, 4, 4, dtype=lib.float64), lib.zeros(6, 3, 3, 3)),
    "dtype bias": lambda lib: F(lib).conv2d(lib.zeros(2, 3, 4, 4), lib.zeros(6, 3, 3, 3),
                                            lib.zeros(6, dtype=lib.float64)),
    "bias size": lambda lib: F(lib).conv2d(lib.zeros(2, 3, 4, 4), lib.zeros(6, 3, 3, 3),
                                           lib.zeros(5)),
    "same with stride": lambda lib: F(lib).conv2d(lib.zeros(2, 3, 8, 8), lib.zeros(6, 3, 3, 3),
                                                  stride=2, padding="same"),
    "bad padding string": lambda lib: F(lib).conv2d(lib.zeros(2, 3, 8, 8),
                                                    lib.zeros(6, 3, 3, 3), padding="full"),
    "negative padding": lambda lib: F(lib).conv2d(lib.zeros(2, 3, 8, 8), lib.zeros(6, 3, 3, 3),
                                                  padding=(1, -1)),
    "zero stride": lambda lib: F(lib).conv2d(lib.zeros(2, 3, 8, 8), lib.zeros(6, 3, 3, 3),
                                             stride=0),
    "zero dilation": lambda lib: F(lib).conv2d(lib.zeros(2, 3, 8, 8), lib.zeros(6, 3, 3, 3),
                                               dilation=0),
    "zero groups": lambda lib: F(lib).conv2d(lib.zeros(2, 3, 8, 8), lib.zeros(6, 3, 3, 3),
                                             groups=0),
    "stride of 3 values": lambda lib: F(lib).conv2d(lib.zeros(2, 3, 8, 8), lib.zeros(6, 3, 3, 3),
                                                    stride=(1, 1, 1)),
    "padding of 3 values": lambda lib: F(lib).conv2d(
        lib.zeros(2, 3, 8, 8), lib.zeros(6, 3, 3, 3), padding=(1, 1, 1)),
    "bool": lambda lib: F(lib).conv2d(lib.ones(2, 3, 4, 4, dtype=lib.bool),
                                      lib.ones(6, 3, 3, 3, dtype=lib.bool)),
}


@needs_torch
@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(name):
    same_error(ERRORS[name])


@needs_torch
@pytest.mark.parametrize("call", [
    lambda lib: F(lib).conv2d([1.0], lib.zeros(6, 3, 3, 3)),
    lambda lib: F(lib).conv2d(lib.zeros(2, 3, 8, 8), lib.zeros(6, 3, 3, 3), stride=1.5),
    lambda lib: F(lib).conv2d(lib.zeros(2, 3, 8, 8), lib.zeros(6, 3, 3, 3), groups=1.0),
])
def test_wrong_argument_types_raise_typeerror_like_torch(call):
    ours, theirs = raised(call, gt), raised(call, torch)
    assert ours[0] == theirs[0] == "TypeError"
    assert ours[1].split(" - got")[0] == theirs[1].split(" - got")[0]
    assert ours[1].split("expected one of:")[1] == theirs[1].split("expected one of:")[1]


# ---- layers ----------------------------------------------------------------------------------
LAYERS = [
    ("Conv2d", (1, 6, 5), {"padding": 2}),
    ("Conv2d", (6, 16, 5), {}),
    ("Conv2d", (6, 16, (3, 5)), {"stride": 2, "padding": (1, 2), "dilation": 2, "groups": 2,
                                 "bias": False, "padding_mode": "reflect"}),
    ("Conv2d", (6, 16, 3), {"padding": "same"}),
    ("Conv2d", (6, 6, 4), {"padding": "same", "groups": 6, "padding_mode": "circular"}),
    ("Conv2d", (6, 16, 3), {"padding": "valid"}),
    ("Conv2d", (4, 8, 3), {"padding": 1, "padding_mode": "replicate"}),
    ("Conv1d", (6, 16, 3), {"padding": "same", "padding_mode": "circular"}),
    ("Conv1d", (6, 16, 3), {}),
    ("Conv1d", (4, 8, 5), {"stride": 2, "padding": 2, "padding_mode": "reflect"}),
    ("LazyConv2d", (16, 3), {}),
    ("LazyConv1d", (16, 3), {"stride": 2, "bias": False}),
]


@needs_torch
@pytest.mark.parametrize("name,args,kwargs", LAYERS)
def test_layer_repr_and_attributes_match_torch(name, args, kwargs):
    ours, theirs = both(lambda lib: getattr(lib.nn, name)(*args, **kwargs))
    assert repr(ours) == repr(theirs)
    for attr in ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation",
                 "groups", "padding_mode", "transposed", "output_padding",
                 "_reversed_padding_repeated_twice"):
        assert getattr(ours, attr) == getattr(theirs, attr), attr
    assert list(ours.state_dict()) == list(theirs.state_dict())


def _load(ours, theirs):
    ours.load_state_dict(
        {k: gt.tensor(v.detach().numpy().copy()) for k, v in theirs.state_dict().items()})


@needs_torch
@pytest.mark.parametrize("name,args,kwargs", [layer for layer in LAYERS if "Lazy" not in layer[0]])
def test_layer_forward_and_gradients_match_torch(name, args, kwargs):
    ours, theirs = both(lambda lib: getattr(lib.nn, name)(*args, **kwargs))
    _load(ours, theirs)
    shape = (2, args[0], 9, 8) if name == "Conv2d" else (2, args[0], 11)
    x = rand(*shape, dtype=np.float32)
    xo, xt = gt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out_o, out_t = ours(xo), theirs(xt)
    assert_same(out_o, out_t, rtol=1e-5, atol=1e-5)
    out_o.sum().backward()
    out_t.sum().backward()
    assert_same(xo.grad, xt.grad, rtol=1e-5, atol=1e-5)
    for (pname, p), q in zip(ours.named_parameters(), theirs.parameters()):
        assert_same(p.grad, q.grad, rtol=1e-5, atol=1e-5, msg=pname)


def test_default_initialisation_bounds_and_spread():
    gt.manual_seed(0)
    m = gt.nn.Conv2d(6, 16, 5, groups=2)
    fan_in = 3 * 5 * 5
    bound = 1 / np.sqrt(fan_in)
    w, b = m.weight.detach().numpy(), m.bias.detach().numpy()
    assert w.shape == (16, 3, 5, 5) and b.shape == (16,) and w.dtype == np.float32
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    # U(-bound, bound) has standard deviation bound / sqrt(3); 1200 draws land within 10%
    assert abs(w.std() - bound / np.sqrt(3)) < 0.1 * bound / np.sqrt(3)
    assert m.weight.requires_grad and m.bias.requires_grad
    m2 = gt.nn.Conv1d(4, 8, 3, bias=False, dtype=gt.float64)
    assert m2.bias is None and m2.weight.dtype == gt.float64 and m2.weight.shape == (8, 4, 3)
    assert list(m2.state_dict()) == ["weight"]


def test_reset_parameters_draws_fresh_values():
    m = gt.nn.Conv2d(3, 4, 3)
    before = m.weight.detach().numpy().copy()
    m.reset_parameters()
    assert not np.array_equal(before, m.weight.detach().numpy())


@needs_torch
@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.Conv2d(5, 6, 3, groups=2),
    lambda lib: lib.nn.Conv2d(6, 5, 3, groups=2),
    lambda lib: lib.nn.Conv2d(6, 6, 3, groups=0),
    lambda lib: lib.nn.Conv2d(6, 6, 3, padding="same", stride=2),
    lambda lib: lib.nn.Conv1d(6, 6, 3, padding="same", stride=(2,)),
])
def test_constructor_errors_match_torch(make):
    same_error(make)


@needs_torch
@pytest.mark.parametrize("make,start", [
    (lambda lib: lib.nn.Conv2d(6, 6, 3, padding="full"), "Invalid padding string 'full'"),
    (lambda lib: lib.nn.Conv2d(6, 6, 3, padding_mode="mirror"), "padding_mode must be one of"),
])
def test_constructor_errors_listing_a_set_match_torch(make, start):
    """torch prints a Python set here, whose order changes from run to run: compare the rest."""
    ours, theirs = raised(make, gt), raised(make, torch)
    assert ours[0] == theirs[0] == "ValueError"
    assert ours[1].startswith(start) and theirs[1].startswith(start)
    assert ours[1].split("}")[-1] == theirs[1].split("}")[-1]

    def listed(msg):
        return set(msg.split("{")[1].split("}")[0].split(", "))

    assert listed(ours[1]) == listed(theirs[1])


@needs_torch
def test_layer_input_errors_match_torch():
    same_error(lambda lib: lib.nn.Conv2d(3, 4, 3)(lib.zeros(2, 2, 5, 5)))
    same_error(lambda lib: lib.nn.Conv2d(3, 4, 3)(lib.zeros(3, 5)))


# ---- lazy layers -----------------------------------------------------------------------------
@needs_torch
@pytest.mark.parametrize("name,kwargs,shape", [
    ("LazyConv2d", {"kernel_size": 5, "padding": 2}, (2, 1, 28, 28)),
    ("LazyConv2d", {"kernel_size": 3, "groups": 2}, (2, 4, 6, 6)),
    ("LazyConv2d", {"kernel_size": 3}, (5, 6, 6)),  # unbatched: channels on axis 0
    ("LazyConv1d", {"kernel_size": 3, "stride": 2}, (2, 3, 9)),
    ("LazyConv1d", {"kernel_size": 3}, (3, 9)),
])
def test_lazy_layers_become_eager_layers_like_torch(name, kwargs, shape):
    ours, theirs = both(lambda lib: getattr(lib.nn, name)(6, **kwargs))
    assert ours.has_uninitialized_params()
    x = rand(*shape, dtype=np.float32)
    out_o, out_t = ours(gt.tensor(x)), theirs(torch.tensor(x))
    assert type(ours).__name__ == type(theirs).__name__ == name.replace("Lazy", "")
    assert repr(ours) == repr(theirs)
    assert ours.in_channels == theirs.in_channels
    assert ours.weight.shape == theirs.weight.shape and ours.bias.shape == theirs.bias.shape
    assert out_o.shape == out_t.shape
    _load(ours, theirs)
    assert_same(ours(gt.tensor(x)), theirs(torch.tensor(x)), rtol=1e-5, atol=1e-5)


@needs_torch
def test_lazy_layer_errors_match_torch():
    same_error(lambda lib: lib.nn.LazyConv2d(4, 3)(lib.zeros(5, 5)))
    same_error(lambda lib: lib.nn.LazyConv1d(4, 3)(lib.zeros(2, 2, 5, 5)))
    same_error(lambda lib: lib.nn.LazyConv2d(4, 3, groups=2)(lib.zeros(1, 5, 5, 5)))


def test_lazy_layer_loads_a_state_dict():
    eager = gt.nn.Conv2d(3, 4, 3)
    lazy = gt.nn.LazyConv2d(4, 3)
    lazy.load_state_dict(eager.state_dict())
    x = gt.randn(2, 3, 6, 6)
    assert np.array_equal(lazy(x).detach().numpy(), eager(x).detach().numpy())
    assert lazy.in_channels == 3 and type(lazy) is gt.nn.Conv2d


def test_lazy_lenet_trains_one_step():
    """d2l's chapter-7 style: LazyConv2d layers, one SGD step lowers nothing unexpected."""
    gt.manual_seed(0)
    net = gt.nn.Sequential(gt.nn.LazyConv2d(6, kernel_size=5, padding=2), gt.nn.Sigmoid(),
                           gt.nn.LazyConv2d(4, kernel_size=5), gt.nn.Flatten(),
                           gt.nn.LazyLinear(10))
    x, y = gt.randn(8, 1, 12, 12), gt.randint(0, 10, (8,))
    net(x)
    opt = gt.optim.SGD(net.parameters(), lr=0.1)
    losses = []
    for _ in range(3):
        loss = gt.nn.functional.cross_entropy(net(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert net[0].weight.shape == (6, 1, 5, 5) and net[2].weight.shape == (4, 6, 5, 5)
    assert losses[-1] < losses[0]
