"""Normalisation layers against torch: BatchNorm1d/2d/3d (training steps, running statistics with
every momentum, evaluation, state dicts, lazy forms), LayerNorm, GroupNorm, InstanceNorm,
LocalResponseNorm; printed forms; second derivatives; error messages.

(The F-level values, gradients and float64 gradchecks are in ``tests/catalogue/norm.py``; d2l's
models with batch norm are in ``tests/test_nn_norm_d2l.py``.)
"""

from __future__ import annotations

import warnings
from collections import OrderedDict

import numpy as np
import pytest

import glasstorch as gt
from oracle import assert_same, needs_torch, raised, torch

_SHAPES = {"BatchNorm1d": [(6, 3), (6, 3, 5)], "BatchNorm2d": [(4, 3, 3, 5)],
           "BatchNorm3d": [(2, 3, 2, 3, 2)]}


def rand(*shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def copy_params(ours, theirs, seed=5):
    """Give both modules the same random (non-trivial) parameters."""
    for i, (name, p) in enumerate(theirs.named_parameters()):
        values = rand(*p.shape, seed=seed + i, dtype=p.detach().numpy().dtype)
        with torch.no_grad():
            p.copy_(torch.from_numpy(values))
        with gt.no_grad():
            dict(ours.named_parameters())[name].copy_(gt.tensor(values))


def compare_step(ours, theirs, array, seed=1):
    """One forward + backward with a random output gradient; compare output, input gradient and
    parameter gradients."""
    xo = gt.tensor(array, requires_grad=True)
    xt = torch.tensor(array, requires_grad=True)
    yo, yt = ours(xo), theirs(xt)
    assert_same(yo, yt, msg="output")
    assert yo.grad_fn.name() == yt.grad_fn.name()
    g = rand(*array.shape, seed=seed, dtype=array.dtype)
    yo.backward(gt.tensor(g))
    yt.backward(torch.tensor(g))
    assert_same(xo.grad, xt.grad, msg="input grad")
    for (name, po), (_, pt) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert_same(po.grad, pt.grad, msg=f"{name} grad")
        po.grad = None
        pt.grad = None


def compare_buffers(ours, theirs):
    bo, bt = dict(ours.named_buffers()), dict(theirs.named_buffers())
    assert list(bo) == list(bt)
    for k in bt:
        assert_same(bo[k], bt[k], msg=k)


# ---- BatchNorm: training steps, running statistics, evaluation -----------------------------------
@needs_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("momentum", [0.1, 0.5, None])
@pytest.mark.parametrize("cls,shape", [(c, s) for c, shapes in _SHAPES.items() for s in shapes])
def test_batchnorm_training_steps_then_eval_match_torch(cls, shape, momentum, dtype):
    tdt = torch.float64 if dtype == np.float64 else torch.float32
    gdt = gt.float64 if dtype == np.float64 else gt.float32
    ours = getattr(gt.nn, cls)(3, momentum=momentum, dtype=gdt)
    theirs = getattr(torch.nn, cls)(3, momentum=momentum, dtype=tdt)
    copy_params(ours, theirs)
    for step in range(3):
        x = rand(*shape, seed=10 + step, dtype=dtype) * (step + 1) + step
        compare_step(ours, theirs, x, seed=20 + step)
        compare_buffers(ours, theirs)
    assert int(ours.num_batches_tracked) == 3
    ours.eval()
    theirs.eval()
    compare_step(ours, theirs, rand(*shape, seed=99, dtype=dtype))
    compare_buffers(ours, theirs)  # evaluation leaves the statistics alone


@needs_torch
@pytest.mark.parametrize("affine,bias", [(True, True), (True, False), (False, True)])
def test_batchnorm_without_running_stats_uses_batch_stats_in_eval(affine, bias):
    ours = gt.nn.BatchNorm2d(3, affine=affine, track_running_stats=False, bias=bias)
    theirs = torch.nn.BatchNorm2d(3, affine=affine, track_running_stats=False, bias=bias)
    assert ours.running_mean is None and ours.num_batches_tracked is None
    copy_params(ours, theirs)
    ours.eval()
    theirs.eval()
    compare_step(ours, theirs, rand(2, 3, 4, 4))
    assert list(ours.state_dict()) == list(theirs.state_dict())


@needs_torch
def test_batchnorm_eval_mode_uses_running_stats_only():
    ours, theirs = gt.nn.BatchNorm1d(4), torch.nn.BatchNorm1d(4)
    for m in (ours, theirs):
        m.running_mean.fill_(0.5)
        m.running_var.fill_(2.0)
        m.eval()
    x = rand(1, 4)  # a single sample is fine outside training
    compare_step(ours, theirs, x)
    assert int(ours.num_batches_tracked) == 0


@needs_torch
def test_functional_batch_norm_running_stats_after_steps():
    rm_o, rv_o = gt.zeros(3), gt.ones(3)
    rm_t, rv_t = torch.zeros(3), torch.ones(3)
    for step in range(4):
        x = rand(5, 3, 2, seed=step) * 3 + 1
        gt.nn.functional.batch_norm(gt.tensor(x), rm_o, rv_o, training=True, momentum=0.3)
        torch.nn.functional.batch_norm(torch.tensor(x), rm_t, rv_t, training=True, momentum=0.3)
    assert_same(rm_o, rm_t)
    assert_same(rv_o, rv_t)


@needs_torch
def test_batchnorm_reset_running_stats_and_parameters():
    m = gt.nn.BatchNorm1d(3)
    m(gt.randn(4, 3) * 5 + 2)
    with gt.no_grad():
        m.weight.fill_(3.0)
    m.reset_running_stats()
    assert m.running_mean.tolist() == [0, 0, 0] and m.running_var.tolist() == [1, 1, 1]
    assert int(m.num_batches_tracked) == 0 and m.weight.tolist() == [3, 3, 3]
    m.reset_parameters()
    assert m.weight.tolist() == [1, 1, 1] and m.bias.tolist() == [0, 0, 0]


# ---- state dicts ---------------------------------------------------------------------------------
@needs_torch
@pytest.mark.parametrize("kwargs", [{}, {"affine": False}, {"bias": False},
                                    {"track_running_stats": False}, {"dtype": "float64"}])
def test_batchnorm_state_dict_keys_dtypes_and_version(kwargs):
    ours = gt.nn.BatchNorm2d(4, **{k: getattr(gt, v) if k == "dtype" else v
                                   for k, v in kwargs.items()})
    theirs = torch.nn.BatchNorm2d(4, **{k: getattr(torch, v) if k == "dtype" else v
                                        for k, v in kwargs.items()})
    so, st = ours.state_dict(), theirs.state_dict()
    assert list(so) == list(st)
    for k in st:
        assert_same(so[k], st[k], msg=k)
    assert so._metadata[""] == st._metadata[""] == {"version": 2}


@needs_torch
def test_batchnorm_loads_torch_state_dict_and_converts_keep_int64():
    theirs = torch.nn.BatchNorm1d(3)
    theirs(torch.randn(8, 3) * 2 + 1)
    theirs(torch.randn(8, 3))
    ours = gt.nn.BatchNorm1d(3)
    result = ours.load_state_dict(
        OrderedDict((k, gt.tensor(v.numpy().copy())) for k, v in theirs.state_dict().items()))
    assert (result.missing_keys, result.unexpected_keys) == ([], [])
    compare_buffers(ours, theirs)
    assert ours.double().num_batches_tracked.dtype == gt.int64
    assert ours.running_mean.dtype == gt.float64


@needs_torch
def test_batchnorm_state_dict_without_num_batches_tracked_like_torch():
    def run(lib):
        src = lib.nn.BatchNorm2d(3)
        src.running_mean.fill_(0.25)
        dst = lib.nn.BatchNorm2d(3)
        dst.num_batches_tracked.fill_(5)
        old = {k: v for k, v in src.state_dict().items() if k != "num_batches_tracked"}
        report = []
        # a plain dict has no version: an old layout, tolerated; the count is kept
        report.append(str(dst.load_state_dict(old)))
        report.append(int(dst.num_batches_tracked))
        report.append(float(dst.running_mean[0]))
        # with version-2 metadata the key is required
        new = src.state_dict()
        del new["num_batches_tracked"]
        report.append(raised(lambda _: dst.load_state_dict(new), lib))
        report.append(str(dst.load_state_dict(new, strict=False)))
        return report

    assert run(gt) == run(torch)


@needs_torch
def test_batchnorm_state_dict_in_a_sequential_round_trips():
    def build(lib):
        lib.manual_seed(0)
        return lib.nn.Sequential(lib.nn.Linear(4, 3), lib.nn.BatchNorm1d(3), lib.nn.ReLU())

    ours, theirs = build(gt), build(torch)
    theirs(torch.randn(5, 4))
    ours.load_state_dict({k: gt.tensor(v.numpy().copy()) for k, v in theirs.state_dict().items()})
    assert list(ours.state_dict()) == list(theirs.state_dict())
    compare_buffers(ours, theirs)


# ---- lazy forms ----------------------------------------------------------------------------------
@needs_torch
@pytest.mark.parametrize("cls,shape", [("LazyBatchNorm1d", (5, 4)), ("LazyBatchNorm1d", (5, 4, 3)),
                                       ("LazyBatchNorm2d", (2, 4, 3, 3)),
                                       ("LazyBatchNorm3d", (2, 4, 2, 2, 2)),
                                       ("LazyInstanceNorm1d", (2, 4, 5)),
                                       ("LazyInstanceNorm2d", (2, 4, 3, 3))])
def test_lazy_batchnorm_infers_num_features_like_torch(cls, shape):
    ours, theirs = getattr(gt.nn, cls)(), getattr(torch.nn, cls)()
    assert str(ours) == str(theirs)
    assert ours.has_uninitialized_params()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    x = rand(*shape)
    compare_step(ours, theirs, x)
    assert type(ours).__name__ == type(theirs).__name__
    assert str(ours) == str(theirs)
    compare_buffers(ours, theirs)


@needs_torch
def test_lazy_batchnorm_materializes_from_a_state_dict():
    src = torch.nn.BatchNorm2d(5)
    src(torch.randn(3, 5, 2, 2))
    ours = gt.nn.LazyBatchNorm2d()
    ours.load_state_dict({k: gt.tensor(v.numpy().copy()) for k, v in src.state_dict().items()})
    assert tuple(ours.running_mean.shape) == (5,)
    compare_buffers(ours, src)


@needs_torch
@pytest.mark.parametrize("cls,shape", [("LazyBatchNorm1d", (2, 4, 2, 2)),
                                       ("LazyBatchNorm2d", (2, 4))])
def test_lazy_batchnorm_wrong_rank_message(cls, shape):
    def call(lib):
        return getattr(lib.nn, cls)()(lib.zeros(shape))

    assert raised(call, gt) == raised(call, torch)


# ---- LayerNorm, GroupNorm, InstanceNorm, LocalResponseNorm ---------------------------------------
_OTHERS = [
    ("LayerNorm", lambda lib, **kw: lib.nn.LayerNorm(5, **kw), (3, 4, 5)),
    ("LayerNorm2", lambda lib, **kw: lib.nn.LayerNorm([4, 5], **kw), (3, 4, 5)),
    ("LayerNormNoBias", lambda lib, **kw: lib.nn.LayerNorm(5, bias=False, **kw), (2, 5)),
    ("LayerNormNoAffine", lambda lib, **kw: lib.nn.LayerNorm(5, elementwise_affine=False, **kw),
     (2, 5)),
    ("GroupNorm", lambda lib, **kw: lib.nn.GroupNorm(2, 4, **kw), (3, 4, 2, 2)),
    ("GroupNormNoAffine", lambda lib, **kw: lib.nn.GroupNorm(4, 4, affine=False, **kw), (3, 4, 5)),
    ("InstanceNorm1d", lambda lib, **kw: lib.nn.InstanceNorm1d(3, affine=True, **kw), (2, 3, 5)),
    ("InstanceNorm1dUnbatched", lambda lib, **kw: lib.nn.InstanceNorm1d(3, **kw), (3, 5)),
    ("InstanceNorm2d", lambda lib, **kw: lib.nn.InstanceNorm2d(3, affine=True, **kw),
     (2, 3, 3, 3)),
]


@needs_torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,build,shape", _OTHERS, ids=[o[0] for o in _OTHERS])
def test_other_norm_layers_match_torch(name, build, shape, dtype):
    ours, theirs = build(gt, dtype=getattr(gt, dtype)), build(torch, dtype=getattr(torch, dtype))
    assert str(ours) == str(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    copy_params(ours, theirs)
    compare_step(ours, theirs, rand(*shape, dtype=np.dtype(dtype)))


@needs_torch
def test_instance_norm_running_stats_and_eval_match_torch():
    ours = gt.nn.InstanceNorm2d(3, track_running_stats=True)
    theirs = torch.nn.InstanceNorm2d(3, track_running_stats=True)
    for step in range(2):
        compare_step(ours, theirs, rand(2, 3, 4, 4, seed=step) * 2 + 1)
    compare_buffers(ours, theirs)
    ours.eval()
    theirs.eval()
    compare_step(ours, theirs, rand(2, 3, 4, 4, seed=7))


@needs_torch
def test_instance_norm_size_mismatch_warns_or_raises_like_torch():
    with pytest.warns(UserWarning, match="does not match num_features"):
        gt.nn.InstanceNorm1d(3)(gt.randn(2, 4, 5))
    assert raised(lambda lib: lib.nn.InstanceNorm1d(3, affine=True)(lib.zeros(2, 4, 5)), gt) == \
        raised(lambda lib: lib.nn.InstanceNorm1d(3, affine=True)(lib.zeros(2, 4, 5)), torch)


@needs_torch
def test_local_response_norm_layer_matches_torch():
    ours, theirs = gt.nn.LocalResponseNorm(3, alpha=0.1), torch.nn.LocalResponseNorm(3, alpha=0.1)
    assert str(ours) == str(theirs)
    compare_step(ours, theirs, rand(2, 5, 3, 3))


# ---- printed forms and constructor arguments -----------------------------------------------------
_REPRS = [
    lambda lib: lib.nn.BatchNorm2d(6),
    lambda lib: lib.nn.BatchNorm1d(3, eps=1e-3, momentum=None, affine=False),
    lambda lib: lib.nn.BatchNorm3d(2, momentum=0.5, track_running_stats=False, bias=False),
    lambda lib: lib.nn.LazyBatchNorm2d(),
    lambda lib: lib.nn.LayerNorm(10),
    lambda lib: lib.nn.LayerNorm((3, 4), eps=1e-6, elementwise_affine=False),
    lambda lib: lib.nn.LayerNorm(lib.Size([2, 3])),
    lambda lib: lib.nn.GroupNorm(2, 4),
    lambda lib: lib.nn.GroupNorm(1, 3, affine=False),
    lambda lib: lib.nn.InstanceNorm2d(3),
    lambda lib: lib.nn.InstanceNorm3d(3, affine=True, track_running_stats=True),
    lambda lib: lib.nn.LocalResponseNorm(2),
    lambda lib: lib.nn.Sequential(lib.nn.LazyBatchNorm1d(), lib.nn.LayerNorm(4)),
]


@needs_torch
@pytest.mark.parametrize("build", _REPRS, ids=range(len(_REPRS)))
def test_printed_forms_match_torch(build):
    assert str(build(gt)) == str(build(torch))


@needs_torch
def test_layernorm_attributes_match_torch():
    ours, theirs = gt.nn.LayerNorm(3), torch.nn.LayerNorm(3)
    assert ours.normalized_shape == theirs.normalized_shape == (3,)
    assert (ours.eps, ours.elementwise_affine) == (theirs.eps, theirs.elementwise_affine)
    assert_same(ours.weight, theirs.weight)
    assert_same(ours.bias, theirs.bias)


# ---- error parity (type and full message) --------------------------------------------------------
def _F(lib):
    return lib.nn.functional


_ERRORS = [
    lambda lib: _F(lib).batch_norm(lib.ones(1, 4), lib.zeros(4), lib.ones(4), training=True),
    lambda lib: _F(lib).batch_norm(lib.ones(1, 4, 1), None, None, training=True),
    lambda lib: _F(lib).batch_norm(lib.ones(2, 4), lib.zeros(3), lib.ones(4), training=True),
    lambda lib: _F(lib).batch_norm(lib.ones(2, 4), lib.zeros(4), lib.ones(3)),
    lambda lib: _F(lib).batch_norm(lib.ones(2, 4), None, None, lib.ones(3), training=True),
    lambda lib: _F(lib).batch_norm(lib.ones(2, 4), None, None, None, lib.ones(5), True),
    lambda lib: _F(lib).batch_norm(lib.ones(2, 4), None, None),
    lambda lib: _F(lib).batch_norm(lib.ones(2, 4), lib.zeros(4), None, training=True),
    lambda lib: _F(lib).batch_norm(lib.ones(4), lib.zeros(4), lib.ones(4), training=True),
    lambda lib: _F(lib).batch_norm(lib.ones(2, 4, dtype=lib.long), None, None, training=True),
    lambda lib: _F(lib).batch_norm(lib.ones(2, 4, dtype=lib.float64), lib.zeros(4), lib.ones(4)),
    lambda lib: _F(lib).batch_norm(lib.ones(2, 4), lib.zeros(4, dtype=lib.float64),
                                   lib.ones(4, dtype=lib.float64)),
    lambda lib: _F(lib).batch_norm(lib.ones(2, 4), None, None, training=True, momentum=None),
    lambda lib: lib.nn.BatchNorm2d(4)(lib.ones(2, 4)),
    lambda lib: lib.nn.BatchNorm2d(4)(lib.ones(4, 2, 2)),
    lambda lib: lib.nn.BatchNorm1d(4)(lib.ones(2, 4, 2, 2)),
    lambda lib: lib.nn.BatchNorm3d(4)(lib.ones(2, 4, 2, 2)),
    lambda lib: lib.nn.BatchNorm2d(4)(lib.ones(2, 3, 2, 2)),
    lambda lib: lib.nn.BatchNorm1d(4)(lib.ones(1, 4)),
    lambda lib: _F(lib).layer_norm(lib.ones(2, 3), (4,)),
    lambda lib: _F(lib).layer_norm(lib.ones(2, 3, 4), (2, 4)),
    lambda lib: _F(lib).layer_norm(lib.ones(3), (2, 3)),
    lambda lib: _F(lib).layer_norm(lib.ones(3), ()),
    lambda lib: _F(lib).layer_norm(lib.ones(2, 3), (3,), lib.ones(4)),
    lambda lib: _F(lib).layer_norm(lib.ones(2, 3), (3,), None, lib.ones(4)),
    lambda lib: _F(lib).layer_norm(lib.ones(2, 3), 3),
    lambda lib: _F(lib).layer_norm(lib.ones(2, 3, dtype=lib.long), (3,)),
    lambda lib: _F(lib).layer_norm(lib.ones(2, 3), (3,), lib.ones(3, dtype=lib.float64)),
    lambda lib: lib.nn.LayerNorm(4)(lib.ones(2, 3)),
    lambda lib: _F(lib).group_norm(lib.ones(2, 6, 3), 4),
    lambda lib: _F(lib).group_norm(lib.ones(2, 6, 3), 3, lib.ones(4)),
    lambda lib: _F(lib).group_norm(lib.ones(6), 3),
    lambda lib: _F(lib).group_norm(lib.ones(2, 6), 0),
    lambda lib: _F(lib).group_norm(lib.ones(1, 2), 2),
    lambda lib: _F(lib).group_norm(lib.ones(2, 4, dtype=lib.long), 2),
    lambda lib: lib.nn.GroupNorm(4, 6),
    lambda lib: lib.nn.GroupNorm(2, 6)(lib.ones(6)),
    lambda lib: _F(lib).instance_norm(lib.ones(2, 6)),
    lambda lib: _F(lib).instance_norm(lib.ones(2, 3, 4), lib.zeros(4), lib.ones(4)),
    lambda lib: lib.nn.InstanceNorm1d(3)(lib.ones(2, 3, 4, 4)),
    lambda lib: lib.nn.InstanceNorm2d(3)(lib.ones(3, 5)),
    lambda lib: _F(lib).local_response_norm(lib.ones(2, 6), 2),
]


@needs_torch
@pytest.mark.parametrize("fn", _ERRORS, ids=range(len(_ERRORS)))
def test_errors_match_torch_exactly(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert raised(fn, gt) == raised(fn, torch)


# ---- autograd details ----------------------------------------------------------------------------
_SECOND = [
    ("bn_train", lambda F, x, w, b: F.batch_norm(x, None, None, w, b, True), (4, 2, 3)),
    ("bn_eval", lambda F, x, w, b: F.batch_norm(x, x.new_zeros(2) + 0.3, x.new_ones(2) * 2, w, b),
     (4, 2, 3)),
    ("layer_norm", lambda F, x, w, b: F.layer_norm(x, (2, 3), w.repeat(3).reshape(2, 3),
                                                   b.repeat(3).reshape(2, 3)), (4, 2, 3)),
    ("group_norm", lambda F, x, w, b: F.group_norm(x, 1, w, b), (4, 2, 3)),
]


@needs_torch
@pytest.mark.parametrize("name,fn,shape", _SECOND, ids=[s[0] for s in _SECOND])
def test_second_derivatives_match_torch(name, fn, shape):
    """Differentiate (dL/dx, dL/dw) again (create_graph=True) and compare with torch."""
    arrays = [rand(*shape, seed=1, dtype=np.float64), rand(2, seed=2, dtype=np.float64),
              rand(2, seed=3, dtype=np.float64)]
    grads = []
    for lib in (gt, torch):
        xs = [lib.tensor(a, requires_grad=True) for a in arrays]
        y = fn(lib.nn.functional, *xs)
        go = lib.tensor(rand(*y.shape, seed=4, dtype=np.float64))
        first = lib.autograd.grad(y, xs[:2], go, create_graph=True)
        (first[0] ** 2).sum().add((first[1] * 3).sum()).backward()
        grads.append([t.grad for t in xs])
    for ours, theirs in zip(*grads):
        assert (ours is None) == (theirs is None)
        if theirs is not None:
            assert_same(ours, theirs)


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_gradcheck_float64(training):
    rng = np.random.default_rng(0)
    x = gt.tensor(rng.standard_normal((3, 2, 2)), requires_grad=True)
    w = gt.tensor(rng.standard_normal(2), requires_grad=True)
    b = gt.tensor(rng.standard_normal(2), requires_grad=True)
    rm, rv = gt.tensor([0.1, -0.2], dtype=gt.float64), gt.tensor([0.5, 2.0], dtype=gt.float64)

    def f(x, w, b):
        return gt.nn.functional.batch_norm(x, rm.clone(), rv.clone(), w, b, training)

    assert gt.autograd.gradcheck(f, (x, w, b))


@needs_torch
def test_modifying_the_input_in_place_before_backward_fails_like_torch():
    def run(lib):
        x = lib.randn(4, 3, requires_grad=True).clone()
        y = lib.nn.functional.batch_norm(x, None, None, training=True)
        x.mul_(2)
        return raised(lambda _: y.sum().backward(), lib)[0]

    assert run(gt) == run(torch) == "RuntimeError"


@needs_torch
def test_batchnorm_under_no_grad_records_nothing_but_updates_stats():
    m = gt.nn.BatchNorm1d(3)
    with gt.no_grad():
        y = m(gt.randn(4, 3, requires_grad=True))
    assert y.grad_fn is None and int(m.num_batches_tracked) == 1
