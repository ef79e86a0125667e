"""nn.functional beyond the catalogue: dropout's randomness, softmax's implicit dim, grad_fn
names, double backward through the fused nodes, in-place activations and the activation and
dropout modules (forward, printed form) against torch."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import glasstorch as gt
import glasstorch.nn.functional as F
from glasstorch.nn.modules import activation as A
from glasstorch.nn.modules.dropout import AlphaDropout, Dropout, Dropout1d, Dropout2d
from oracle import assert_same, needs_torch


def _rand(*shape, dtype=np.float32, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


# ---- dropout -------------------------------------------------------------------------------------
@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_statistics(p):
    gt.manual_seed(0)
    x = gt.ones(200, 500)
    y = F.dropout(x, p).numpy()
    zero_fraction = (y == 0).mean()
    assert abs(zero_fraction - p) < 0.01
    kept = y[y != 0]
    np.testing.assert_allclose(kept, 1 / (1 - p), rtol=1e-6)
    assert abs(y.mean() - 1) < 0.02  # the scaling keeps the expectation


def test_dropout_seed_reproduces_mask():
    x = gt.ones(50, 40)
    gt.manual_seed(123)
    a = F.dropout(x, 0.3).numpy()
    gt.manual_seed(123)
    b = F.dropout(x, 0.3).numpy()
    c = F.dropout(x, 0.3).numpy()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(b, c)


def test_dropout_gradient_is_the_mask():
    gt.manual_seed(1)
    x = gt.tensor(_rand(30, 20), requires_grad=True)
    y = F.dropout(x, 0.4)
    assert type(y.grad_fn).__name__ == "MulBackward0"
    y.sum().backward()
    mask = x.grad.numpy()
    assert set(np.unique(mask)) <= {0.0, np.float32(1 / 0.6)}
    np.testing.assert_allclose(y.detach().numpy(), x.detach().numpy() * mask, rtol=1e-6)


def test_dropout_edge_cases():
    x = gt.tensor(_rand(4, 5), requires_grad=True)
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x
    z = F.dropout(x, 1.0)
    assert (z.detach().numpy() == 0).all() and z.grad_fn is not None
    h = gt.ones(3, 4)
    assert F.dropout(h, 0.5, inplace=True) is h
    assert set(np.unique(h.numpy())) <= {0.0, 2.0}


def test_dropout2d_zeroes_whole_channels():
    gt.manual_seed(2)
    y = F.dropout2d(gt.ones(8, 16, 5, 5), 0.5).numpy()
    per_channel = y.reshape(8, 16, -1)
    assert ((per_channel == 0).all(-1) | (per_channel == 2).all(-1)).all()
    assert 0.2 < (per_channel[..., 0] == 0).mean() < 0.8


def test_rrelu_training_slopes_are_random_and_in_range():
    gt.manual_seed(4)
    x = gt.tensor(-np.ones((50, 50), np.float32), requires_grad=True)
    y = F.rrelu(x, 0.1, 0.3, training=True)
    slopes = -y.detach().numpy()
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3 and slopes.std() > 0.03
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), slopes)


def test_alpha_dropout_keeps_mean_and_variance():
    gt.manual_seed(3)
    y = F.alpha_dropout(gt.randn(400, 500), 0.2, training=True).numpy()
    assert abs(y.mean()) < 0.02 and abs(y.std() - 1) < 0.02


def test_dropout_module_train_eval():
    gt.manual_seed(0)
    m = Dropout(0.5)
    x = gt.ones(100, 100)
    assert (m(x).numpy() == 0).any()
    m.eval()
    assert m(x) is x
    m.train()
    assert (m(x).numpy() == 0).any()


def test_dropout_module_bad_p():
    with pytest.raises(ValueError, match="has to be between 0 and 1, but got 1.5"):
        Dropout(1.5)


# ---- softmax's implicit dim ----------------------------------------------------------------------
@needs_torch
@pytest.mark.parametrize("shape", [(), (5,), (3, 4), (2, 3, 4), (2, 3, 4, 5)])
@pytest.mark.parametrize("fn", ["softmax", "log_softmax", "softmin"])
def test_implicit_dim_warns_and_matches_torch(torch, shape, fn):
    x = _rand(*shape)
    with pytest.warns(UserWarning, match=f"Implicit dimension choice for {fn} has been deprecated"):
        ours = getattr(F, fn)(gt.tensor(x))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = getattr(torch.nn.functional, fn)(torch.tensor(x))
    assert_same(ours, theirs)


def test_softmax_extreme_logits_stay_finite():
    x = gt.tensor([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]], requires_grad=True)
    p = F.softmax(x, 1)
    lp = F.log_softmax(x, 1)
    np.testing.assert_allclose(p.detach().numpy()[0], [1, 0, 0])
    assert np.isfinite(lp.detach().numpy()).all()
    lp.sum().backward()
    assert np.isfinite(x.grad.numpy()).all()


# ---- grad_fn names as torch prints them ----------------------------------------------------------
_NAMED = {
    "linear": lambda f, x, w, b: f.linear(x, w, b),
    "linear/no_bias": lambda f, x, w, b: f.linear(x, w),
    "linear/3d": lambda f, x, w, b: f.linear(x.reshape(1, 4, 3), w, b),
    "linear/3d_no_bias": lambda f, x, w, b: f.linear(x.reshape(2, 2, 3), w),
    "linear/1d": lambda f, x, w, b: f.linear(x[0], w, b),
    "linear/1d_no_bias": lambda f, x, w, b: f.linear(x[0], w),
    "relu": lambda f, x, w, b: f.relu(x),
    "relu6": lambda f, x, w, b: f.relu6(x),
    "hardtanh": lambda f, x, w, b: f.hardtanh(x),
    "leaky_relu": lambda f, x, w, b: f.leaky_relu(x),
    "elu": lambda f, x, w, b: f.elu(x),
    "selu": lambda f, x, w, b: f.selu(x),
    "celu": lambda f, x, w, b: f.celu(x),
    "gelu": lambda f, x, w, b: f.gelu(x),
    "silu": lambda f, x, w, b: f.silu(x),
    "mish": lambda f, x, w, b: f.mish(x),
    "softplus": lambda f, x, w, b: f.softplus(x),
    "logsigmoid": lambda f, x, w, b: f.logsigmoid(x),
    "softsign": lambda f, x, w, b: f.softsign(x),
    "softmax": lambda f, x, w, b: f.softmax(x, 1),
    "log_softmax": lambda f, x, w, b: f.log_softmax(x, 1),
    "mse_loss": lambda f, x, w, b: f.mse_loss(x, x.detach() * 2),
    "smooth_l1_loss": lambda f, x, w, b: f.smooth_l1_loss(x, x.detach() * 2),
    "huber_loss": lambda f, x, w, b: f.huber_loss(x, x.detach() * 2),
    "l1_loss": lambda f, x, w, b: f.l1_loss(x, x.detach() * 2),
    "bce": lambda f, x, w, b: f.binary_cross_entropy(x.sigmoid(), x.detach().sigmoid()),
    "bce_with_logits": lambda f, x, w, b: f.binary_cross_entropy_with_logits(x, x.detach() * 0),
    "pad": lambda f, x, w, b: f.pad(x, (1, 1)),
    "embedding": lambda f, x, w, b: f.embedding(b.detach().long().abs() % 2, w),
    "hardsigmoid": lambda f, x, w, b: f.hardsigmoid(x),
    "hardswish": lambda f, x, w, b: f.hardswish(x),
    "hardshrink": lambda f, x, w, b: f.hardshrink(x),
    "softshrink": lambda f, x, w, b: f.softshrink(x),
    "glu": lambda f, x, w, b: f.glu(w, 0),
    "prelu": lambda f, x, w, b: f.prelu(x, b[:1]),
    "rrelu": lambda f, x, w, b: f.rrelu(x, training=True),
}


@needs_torch
@pytest.mark.parametrize("name", list(_NAMED))
def test_grad_fn_names_match_torch(torch, name):
    arrays = [_rand(4, 3), _rand(2, 3, seed=1), np.array([0.5, 1.5], np.float32)]
    ours = [gt.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    o = _NAMED[name](F, *ours)
    t = _NAMED[name](torch.nn.functional, *theirs)
    assert type(o.grad_fn).__name__ == type(t.grad_fn).__name__


def test_cross_entropy_is_one_fused_node():
    x = gt.tensor(_rand(4, 3), requires_grad=True)
    loss = F.cross_entropy(x, gt.tensor([0, 2, 1, 1]))
    assert type(loss.grad_fn).__name__ == "CrossEntropyLossBackward0"
    assert loss.grad_fn.next_functions[0][0].variable is x


# ---- double backward through the fused nodes -----------------------------------------------------
_SECOND = {
    "softmax": lambda f, x: f.softmax(x, 1),
    "log_softmax": lambda f, x: f.log_softmax(x, 1),
    "gelu": lambda f, x: f.gelu(x),
    "gelu/tanh": lambda f, x: f.gelu(x, approximate="tanh"),
    "silu": lambda f, x: f.silu(x),
    "elu": lambda f, x: f.elu(x, 0.7),
    "softplus": lambda f, x: f.softplus(x, 2.0),
    "mish": lambda f, x: f.mish(x),
    "logsigmoid": lambda f, x: f.logsigmoid(x),
    "relu": lambda f, x: f.relu(x) * x,
    "linear": lambda f, x: f.linear(x, x.T * 0.5 + 1, x[0]) ** 2,
    "cross_entropy": lambda f, x: f.cross_entropy(x, x.detach().argmax(1) * 0 + 1),
    "cross_entropy/smoothing_none": lambda f, x: f.cross_entropy(
        x, x.detach().argmax(0)[:4] * 0, reduction="none", label_smoothing=0.2) ** 2,
    "cross_entropy/probs": lambda f, x: f.cross_entropy(x, f.softmax(x * 2, 1)),
    "nll_loss": lambda f, x: f.nll_loss(x, x.detach().argmax(1)) ** 2,
    "mse_loss": lambda f, x: f.mse_loss(x, x * x),
    "huber_loss": lambda f, x: f.huber_loss(x * 3, x * x, reduction="sum"),
    "bce_with_logits": lambda f, x: f.binary_cross_entropy_with_logits(x, x.sigmoid()),
    "bce": lambda f, x: f.binary_cross_entropy(x.sigmoid(), x.detach().sigmoid() * 0.5),
    "hardswish": lambda f, x: f.hardswish(x * 3),
    "glu": lambda f, x: f.glu(x, 1).repeat(1, 2),
    "prelu": lambda f, x: f.prelu(x, x[0] * 0.5 + 0.1) * x,
    "smooth_l1_loss": lambda f, x: f.smooth_l1_loss(x * 2, x * x, reduction="none", beta=0.7),
    "bce_with_logits/weights": lambda f, x: f.binary_cross_entropy_with_logits(
        x, (x * 0.3).sigmoid(), x[0].detach().abs(), pos_weight=x[1].detach().abs() + 0.5),
    "embedding": lambda f, x: f.embedding(x.detach().argmax(1), x * x) ** 2,
    "pad": lambda f, x: f.pad(x * x, (1, -1, 2, 0), value=0.5) ** 2,
    "soft_margin_loss": lambda f, x: f.soft_margin_loss(x, x.detach().sign()),
    "cross_entropy/4d_weight_smoothing": lambda f, x: f.cross_entropy(
        x.reshape(1, 4, 2, 2), (x.detach()[:2, :2] > 0).long().reshape(1, 2, 2),
        weight=x[0].detach().abs() + 0.1, label_smoothing=0.2, reduction="none") ** 2,
    "log_softmax/0d": lambda f, x: f.log_softmax(x[0, 0] * x[0, 1], 0) + f.softmax(x[1, 1], 0),
}


@needs_torch
@pytest.mark.parametrize("name", list(_SECOND))
def test_double_backward_matches_torch(torch, name):
    arr = _rand(4, 4, dtype=np.float64)
    xs = gt.tensor(arr, requires_grad=True)
    xt = torch.tensor(arr, requires_grad=True)
    v = _rand(4, 4, dtype=np.float64, seed=5)
    (go,) = gt.autograd.grad(_NAMED_SUM(_SECOND[name](F, xs), gt), xs, create_graph=True)
    (gth,) = torch.autograd.grad(_NAMED_SUM(_SECOND[name](torch.nn.functional, xt), torch), xt,
                                 create_graph=True)
    assert_same(go, gth, msg="first derivative")
    (go * gt.tensor(v)).sum().backward()
    (gth * torch.tensor(v)).sum().backward()
    assert_same(xs.grad, xt.grad, msg="second derivative")


def _NAMED_SUM(out, lib):
    w = lib.tensor(np.linspace(0.5, 1.5, out.numel()).reshape(tuple(out.shape)))
    return (out * w.to(out.dtype)).sum()


# ---- in place ------------------------------------------------------------------------------------
@needs_torch
@pytest.mark.parametrize("name", ["relu", "leaky_relu", "elu", "hardtanh", "relu6", "selu",
                                  "silu", "celu", "threshold"])
def test_inplace_activation(torch, name):
    arr = _rand(3, 5)
    args = (0.1, 2.0) if name == "threshold" else ()
    for lib, f in ((gt, F), (torch, torch.nn.functional)):
        leaf = lib.tensor(arr, requires_grad=True)
        mid = leaf * 1
        out = getattr(f, name)(mid, *args, inplace=True)
        assert out is mid
        out.sum().backward()
        if lib is gt:
            ours = (mid, leaf.grad)
            name_ours = type(mid.grad_fn).__name__
        else:
            assert name_ours == type(mid.grad_fn).__name__
            assert_same(ours[0], mid)
            assert_same(ours[1], leaf.grad)
    plain = gt.tensor(arr)
    assert getattr(F, name)(plain, *args, inplace=True) is plain
    assert plain._version == 1


# ---- activation modules: forward and printed form ------------------------------------------------
_MODULES = [
    ("ReLU", ()), ("ReLU", (True,)), ("ReLU6", ()), ("LeakyReLU", ()), ("LeakyReLU", (0.2, True)),
    ("ELU", ()), ("ELU", (2, True)), ("CELU", (0.5,)), ("SELU", ()), ("GELU", ()),
    ("GELU", ("tanh",)), ("SiLU", ()), ("Mish", ()), ("Sigmoid", ()), ("Tanh", ()),
    ("Softplus", ()), ("Softplus", (2, 10)), ("Softsign", ()), ("Tanhshrink", ()),
    ("Hardtanh", ()), ("Hardtanh", (-2, 2)), ("LogSigmoid", ()), ("Softmax", (1,)),
    ("Softmax", (-1,)), ("LogSoftmax", (1,)), ("Softmin", (0,)), ("Threshold", (0.1, 20)),
    ("Softmax2d", ()), ("Hardsigmoid", ()), ("Hardswish", ()), ("Hardshrink", ()),
    ("Softshrink", (0.3,)), ("GLU", ()), ("GLU", (0,)), ("PReLU", ()), ("PReLU", (3, 0.1)),
]


@needs_torch
@pytest.mark.parametrize("name,args", _MODULES, ids=[f"{n}{a}" for n, a in _MODULES])
def test_activation_module_matches_torch(torch, name, args):
    ours, theirs = getattr(A, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(ours) == repr(theirs)
    x = _rand(2, 3, 4) * 3
    assert_same(ours(gt.tensor(x) * 1), theirs(torch.tensor(x) * 1))
    assert list(ours.state_dict()) == list(theirs.state_dict())


@needs_torch
def test_module_printed_forms(torch):
    pairs = [(A.Softmax(), torch.nn.Softmax()), (Dropout(), torch.nn.Dropout()),
             (Dropout(0.2, True), torch.nn.Dropout(0.2, True)), (Dropout1d(), torch.nn.Dropout1d()),
             (Dropout2d(0.3), torch.nn.Dropout2d(0.3)), (AlphaDropout(), torch.nn.AlphaDropout())]
    for ours, theirs in pairs:
        assert repr(ours) == repr(theirs)
    assert repr(Dropout()) == "Dropout(p=0.5, inplace=False)"
    assert repr(A.Softmax(dim=1)) == "Softmax(dim=1)"


def test_hardtanh_module_rejects_bad_range():
    with pytest.raises(AssertionError, match=r"max_val \(1\) must be greater than min_val \(2\)"):
        A.Hardtanh(2, 1)


# ---- one_hot, linear errors, training step -------------------------------------------------------
def test_one_hot_infers_classes_and_is_int64():
    out = F.one_hot(gt.tensor([[0, 3], [1, 1]]))
    assert out.dtype == gt.int64 and tuple(out.shape) == (2, 2, 4)
    np.testing.assert_array_equal(out.numpy().argmax(-1), [[0, 3], [1, 1]])


def test_linear_wrong_in_features_message():
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(64x20 "
                                           r"and 10x5\)"):
        F.linear(gt.zeros(64, 20), gt.zeros(5, 10))


@needs_torch
def test_sgd_step_on_softmax_regression_matches_torch(torch):
    x, w, b = _rand(16, 8), _rand(3, 8, seed=1) * 0.1, np.zeros(3, np.float32)
    y = np.random.default_rng(2).integers(0, 3, 16)
    results = []
    for lib in (gt, torch):
        f = lib.nn.functional
        wt = lib.tensor(w.copy(), requires_grad=True)
        bt = lib.tensor(b.copy(), requires_grad=True)
        for _ in range(3):
            h = f.relu(f.linear(lib.tensor(x), wt, bt))
            loss = f.cross_entropy(f.dropout(h, 0.0), lib.tensor(y))
            loss.backward()
            with lib.no_grad():
                wt -= 0.5 * wt.grad
                bt -= 0.5 * bt.grad
            wt.grad = None
            bt.grad = None
        results.append((wt, bt, loss))
    for ours, theirs in zip(results[0], results[1]):
        assert_same(ours, theirs)


@needs_torch
def test_sequential_with_activations_and_dropout_prints_like_torch(torch):
    def build(nn):
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Dropout(0.2),
                             nn.Linear(256, 10), nn.LogSoftmax(dim=1))

    assert repr(build(gt.nn)) == repr(build(torch.nn))
    assert gt.nn.ReLU is A.ReLU and gt.nn.functional.relu is F.relu


@needs_torch
def test_embedding_max_norm_renormalises_rows_in_place(torch):
    table = _rand(6, 4) * 3
    idx = np.array([[0, 2, 2], [5, 0, 1]])
    ours_w, theirs_w = gt.tensor(table.copy()), torch.tensor(table.copy())
    ours = F.embedding(gt.tensor(idx), ours_w, max_norm=1.5)
    theirs = torch.nn.functional.embedding(torch.tensor(idx), theirs_w, max_norm=1.5)
    assert_same(ours, theirs)
    assert_same(ours_w, theirs_w)  # the looked-up rows were rescaled in the table itself


# ---- properties (no torch needed) ----------------------------------------------------------------
_LOGITS = hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=3, min_side=1, max_side=5),
                     elements=st.floats(-50, 50))


@settings(max_examples=60, deadline=None)
@given(_LOGITS, st.floats(-1e3, 1e3))
def test_softmax_properties(x, shift):
    p = F.softmax(gt.tensor(x), 1).numpy()
    np.testing.assert_allclose(p.sum(1), 1.0, rtol=1e-12)
    assert (p >= 0).all()
    shifted = F.softmax(gt.tensor(x + shift), 1).numpy()  # invariant to adding a constant
    np.testing.assert_allclose(shifted, p, atol=1e-9)
    np.testing.assert_allclose(F.log_softmax(gt.tensor(x), 1).numpy(), np.log(p), atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(_LOGITS, st.data())
def test_cross_entropy_is_nll_of_log_softmax(x, data):
    n, c = x.shape[0], x.shape[1]
    target = data.draw(hnp.arrays(np.int64, (n,) + x.shape[2:], elements=st.integers(0, c - 1)))
    xs = gt.tensor(x, requires_grad=True)
    ce = F.cross_entropy(xs, gt.tensor(target), reduction="sum")
    ce.backward()
    xr = gt.tensor(x, requires_grad=True)
    nll = F.nll_loss(F.log_softmax(xr, 1), gt.tensor(target), reduction="sum")
    nll.backward()
    np.testing.assert_allclose(ce.item(), nll.item(), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(xs.grad.numpy(), xr.grad.numpy(), atol=1e-10)
    # the fused gradient sums to zero over the classes (softmax - onehot)
    np.testing.assert_allclose(xs.grad.numpy().sum(1), 0.0, atol=1e-10)


@needs_torch
@pytest.mark.parametrize("name,args", [("elu_", ()), ("selu_", ()), ("celu_", (0.5,)),
                                       ("leaky_relu_", (0.2,)), ("hardtanh_", (-0.5, 0.5)),
                                       ("threshold_", (0.1, 3.0)), ("relu_", ()),
                                       ("rrelu_", (0.1, 0.3))])
def test_in_place_spellings(torch, name, args):
    arr = _rand(3, 4)
    ours, theirs = gt.tensor(arr.copy()), torch.tensor(arr.copy())
    assert getattr(F, name)(ours, *args) is ours
    getattr(torch.nn.functional, name)(theirs, *args)
    assert_same(ours, theirs)


def test_gelu_float32_is_accurate_in_both_tails():
    """float32 gelu (rational erfc) agrees with the float64 one (exact erfc) to ~2 ulp, even
    far in the negative tail where x·Φ(x) is tiny."""
    x = np.linspace(-12, 12, 4001).astype(np.float32).astype(np.float64)  # same inputs
    exact = F.gelu(gt.tensor(x)).numpy()
    ours = F.gelu(gt.tensor(x.astype(np.float32))).numpy().astype(np.float64)
    nonzero = np.abs(exact) > 1e-30
    rel = np.abs(ours - exact)[nonzero] / np.abs(exact)[nonzero]
    assert rel.max() < 5e-7
