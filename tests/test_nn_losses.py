"""Loss modules and functions against torch: every reduction, float32 and float64, class-index
and probability targets, weights, ignore_index, label smoothing, extreme logits, the legacy
size_average/reduce flags, warnings, errors and printed forms."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import glasstorch as gt
import glasstorch.nn.functional as F
from glasstorch.nn.modules import loss as L
from oracle import assert_same, needs_torch

REDUCTIONS = ("mean", "sum", "none")
DTYPES = (np.float32, np.float64)


def _rng(seed=0):
    return np.random.default_rng(seed)


def _run(lib, make_loss, arrays, grad_idx=(0,)):
    """Build tensors of ``lib`` from ``arrays``, compute the loss, backprop a random cotangent;
    return the loss and the gradients of the inputs in ``grad_idx``."""
    ts = []
    for i, a in enumerate(arrays):
        t = lib.tensor(a.copy()) if a is not None else None
        if i in grad_idx:
            t.requires_grad_(True)
        ts.append(t)
    out = make_loss(lib, *ts)
    cot = _rng(9).uniform(0.5, 1.5, size=tuple(out.shape)).astype(arrays[0].dtype)
    out.backward(lib.tensor(cot))
    return out, [ts[i].grad for i in grad_idx]


def _compare(torch, make_loss, arrays, grad_idx=(0,)):
    ours, ours_g = _run(gt, make_loss, arrays, grad_idx)
    theirs, theirs_g = _run(torch, make_loss, arrays, grad_idx)
    assert_same(ours, theirs, msg="loss")
    for i, (a, b) in enumerate(zip(ours_g, theirs_g)):
        assert_same(a, b, msg=f"grad {i}")


# ---- modules vs torch, every reduction and dtype -------------------------------------------------
_PAIR_MODULES = {
    "MSELoss": {}, "L1Loss": {}, "SmoothL1Loss": {"beta": 0.3}, "HuberLoss": {"delta": 0.4},
    "BCELoss": {}, "BCEWithLogitsLoss": {}, "KLDivLoss": {},
}


@needs_torch
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", list(_PAIR_MODULES))
def test_pair_loss_modules(torch, name, reduction, dtype):
    kw = dict(_PAIR_MODULES[name], reduction=reduction)
    x = _rng(1).uniform(0.05, 0.95, (6, 5)).astype(dtype)
    t = _rng(2).uniform(0.05, 0.95, (6, 5)).astype(dtype)
    if name == "KLDivLoss":
        x = np.log(x)

    def make(lib, a, b):
        mod = getattr(lib.nn, name) if lib is not gt else getattr(L, name)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return mod(**kw)(a, b)

    _compare(torch, make, [x, t], grad_idx=(0, 1))


@needs_torch
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.15])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("shape", [(8, 5), (3, 5, 2, 4), (5,)], ids=["2d", "4d", "unbatched"])
def test_cross_entropy_class_indices(torch, dtype, reduction, smoothing, weighted, shape):
    x = _rng(3).standard_normal(shape).astype(dtype) * 3
    tshape = (shape[0],) + shape[2:] if len(shape) > 1 else ()
    y = _rng(4).integers(0, 5, tshape)
    if len(shape) > 1:
        y.reshape(-1)[::3] = -100  # some ignored targets
    w = _rng(5).uniform(0.2, 2.0, 5).astype(dtype) if weighted else None

    def make(lib, a, b, c):
        mod = lib.nn.CrossEntropyLoss if lib is not gt else L.CrossEntropyLoss
        return mod(weight=c, reduction=reduction, label_smoothing=smoothing)(a, b)

    _compare(torch, make, [x, y, w])


@needs_torch
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_probabilities(torch, dtype, reduction, smoothing, weighted):
    x = _rng(6).standard_normal((4, 6, 3)).astype(dtype)
    q = _rng(7).random((4, 6, 3)).astype(dtype)
    q /= q.sum(1, keepdims=True)
    w = _rng(8).uniform(0.2, 2.0, 6).astype(dtype) if weighted else None

    def make(lib, a, b, c):
        return lib.nn.functional.cross_entropy(a, b, weight=c, reduction=reduction,
                                               label_smoothing=smoothing)

    _compare(torch, make, [x, q, w], grad_idx=(0, 1))


@needs_torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("ignore_index", [-100, 2])
def test_nll_loss_module(torch, reduction, ignore_index):
    x = _rng(10).standard_normal((7, 4)).astype(np.float32)
    y = _rng(11).integers(0, 4, 7)
    w = _rng(12).uniform(0.5, 1.5, 4).astype(np.float32)

    def make(lib, a, b, c):
        mod = lib.nn.NLLLoss if lib is not gt else L.NLLLoss
        logp = lib.nn.functional.log_softmax(a, 1)
        return mod(weight=c, ignore_index=ignore_index, reduction=reduction)(logp, b)

    _compare(torch, make, [x, y, w])


@needs_torch
def test_log_softmax_then_nll_equals_cross_entropy(torch):
    x = gt.tensor(_rng(13).standard_normal((5, 3)).astype(np.float32), requires_grad=True)
    y = gt.tensor([0, 2, 1, 1, 0])
    a = F.nll_loss(F.log_softmax(x, 1), y)
    b = F.cross_entropy(x, y)
    np.testing.assert_allclose(a.item(), b.item(), rtol=1e-6)


# ---- weights and pos_weight ----------------------------------------------------------------------
@needs_torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_weight_and_bce_with_logits_pos_weight(torch, reduction):
    x = _rng(14).uniform(0.05, 0.95, (5, 3)).astype(np.float32)
    t = (_rng(15).random((5, 3)) > 0.5).astype(np.float32)
    w = _rng(16).uniform(0.5, 2, (3,)).astype(np.float32)
    pw = _rng(17).uniform(0.5, 3, (3,)).astype(np.float32)

    def bce(lib, a, b, c):
        mod = lib.nn.BCELoss if lib is not gt else L.BCELoss
        return mod(weight=c, reduction=reduction)(a, b)

    def logits(lib, a, b, c, d):
        mod = lib.nn.BCEWithLogitsLoss if lib is not gt else L.BCEWithLogitsLoss
        return mod(weight=c, pos_weight=d, reduction=reduction)(a * 8 - 4, b)

    _compare(torch, bce, [x, t, w], grad_idx=(0, 1))
    _compare(torch, logits, [x, t, w, pw], grad_idx=(0, 1))


# ---- extreme values ------------------------------------------------------------------------------
@needs_torch
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_cross_entropy_extreme_logits_stay_finite(torch, dtype):
    x = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4], [-1e4, -1e4, -1e4]], dtype)
    y = np.array([1, 0, 2])

    def make(lib, a, b):
        return lib.nn.functional.cross_entropy(a, b, reduction="none", label_smoothing=0.1)

    ours, (g,) = _run(gt, make, [x, y])
    assert np.isfinite(ours.detach().numpy()).all() and np.isfinite(g.numpy()).all()
    _compare(torch, make, [x, y])


@needs_torch
def test_bce_with_logits_extreme_and_bce_log_clamp(torch):
    x = np.array([1e4, -1e4, 1e4, -1e4], np.float32)
    t = np.array([0.0, 1.0, 1.0, 0.0], np.float32)

    def logits(lib, a, b):
        return lib.nn.functional.binary_cross_entropy_with_logits(a, b, reduction="none")

    def bce(lib, a, b):
        return lib.nn.functional.binary_cross_entropy(a, b, reduction="none")

    _compare(torch, logits, [x, t])
    p = np.array([0.0, 0.0, 1.0, 1.0], np.float32)  # log(0) is clamped to -100
    ours = F.binary_cross_entropy(gt.tensor(p), gt.tensor(t), reduction="none")
    np.testing.assert_array_equal(ours.numpy(), [0.0, 100.0, 0.0, 100.0])
    assert_same(ours, torch.nn.functional.binary_cross_entropy(
        torch.tensor(p), torch.tensor(t), reduction="none"))
    _compare(torch, bce, [np.array([0.3, 0.999, 1e-6, 0.5], np.float32), t])


@needs_torch
def test_all_targets_ignored_gives_nan_like_torch(torch):
    x = _rng(18).standard_normal((3, 4)).astype(np.float32)
    y = np.full(3, -100)
    for fn in ("cross_entropy", "nll_loss"):
        for smoothing in (0.0, 0.2):
            kw = {"label_smoothing": smoothing} if fn == "cross_entropy" else {}

            def make(lib, a, b, fn=fn, kw=kw):
                return getattr(lib.nn.functional, fn)(a, b, **kw)

            _compare(torch, make, [x, y])  # nan loss, zero gradient


# ---- warnings and the legacy flags ---------------------------------------------------------------
@needs_torch
@pytest.mark.parametrize("fn", ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"])
def test_broadcast_target_warns_like_torch(torch, fn):
    x = _rng(19).standard_normal((3, 1)).astype(np.float32)
    t = _rng(20).standard_normal(3).astype(np.float32)
    msg = (r"Using a target size \(torch.Size\(\[3\]\)\) that is different to the input size "
           r"\(torch.Size\(\[3, 1\]\)\)")
    with pytest.warns(UserWarning, match=msg):
        ours = getattr(F, fn)(gt.tensor(x), gt.tensor(t))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = getattr(torch.nn.functional, fn)(torch.tensor(x), torch.tensor(t))
    assert_same(ours, theirs)


@needs_torch
@pytest.mark.parametrize("size_average,reduce,expected", [
    (False, None, "sum"), (None, False, "none"), (True, True, "mean"), (False, True, "sum"),
])
def test_legacy_size_average_and_reduce(torch, size_average, reduce, expected):
    with pytest.warns(UserWarning, match=f"please use reduction='{expected}' instead"):
        mod = L.MSELoss(size_average=size_average, reduce=reduce)
    assert mod.reduction == expected
    x, t = _rng(21).standard_normal((2, 3)), _rng(22).standard_normal((2, 3))
    with pytest.warns(UserWarning):
        ours = F.mse_loss(gt.tensor(x), gt.tensor(t), size_average=size_average, reduce=reduce)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = torch.nn.functional.mse_loss(torch.tensor(x), torch.tensor(t),
                                              size_average=size_average, reduce=reduce)
    assert_same(ours, theirs)


@pytest.mark.parametrize("name", ["MSELoss", "L1Loss", "SmoothL1Loss", "BCELoss",
                                  "CrossEntropyLoss", "NLLLoss", "BCEWithLogitsLoss", "HuberLoss"])
def test_bad_reduction_string(name):
    mod = getattr(L, name)(reduction="average")
    target = gt.tensor([0, 1]) if name in ("CrossEntropyLoss", "NLLLoss") else gt.zeros(2, 2)
    with pytest.raises(ValueError, match="average is not a valid value for reduction"):
        mod(gt.full((2, 2), 0.5), target)


# ---- printed forms and buffers -------------------------------------------------------------------
@needs_torch
def test_loss_printed_forms(torch):
    names = ["MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "CrossEntropyLoss", "NLLLoss",
             "BCELoss", "BCEWithLogitsLoss", "KLDivLoss", "MarginRankingLoss",
             "HingeEmbeddingLoss", "SoftMarginLoss", "CosineEmbeddingLoss", "TripletMarginLoss",
             "PoissonNLLLoss", "GaussianNLLLoss", "MultiLabelSoftMarginLoss"]
    for name in names:
        assert repr(getattr(L, name)()) == repr(getattr(torch.nn, name)()) == f"{name}()"
    assert repr(L.CrossEntropyLoss(label_smoothing=0.1, reduction="none")) == "CrossEntropyLoss()"


def test_class_weights_are_buffers():
    m = L.CrossEntropyLoss(weight=gt.tensor([1.0, 2.0, 3.0]))
    assert list(dict(m.named_buffers())) == ["weight"]
    assert list(m.state_dict()) == ["weight"]
    assert L.CrossEntropyLoss().weight is None
    b = L.BCEWithLogitsLoss(pos_weight=gt.ones(3))
    assert list(dict(b.named_buffers())) == ["pos_weight"] and b.weight is None
    assert m.ignore_index == -100 and m.label_smoothing == 0.0 and m.reduction == "mean"


def test_cross_entropy_error_messages():
    x = gt.zeros(2, 3)
    with pytest.raises(IndexError, match="Target 3 is out of bounds."):
        F.cross_entropy(x, gt.tensor([0, 3]))
    with pytest.raises(RuntimeError, match="target dtype to be Long or Byte, but got Float"):
        F.cross_entropy(x, gt.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"Expected input batch_size \(2\) to match target "):
        F.cross_entropy(x, gt.tensor([0, 1, 2]))
    with pytest.raises(RuntimeError, match="ignore_index is not supported for floating point"):
        F.cross_entropy(x, gt.zeros(2, 3), ignore_index=1)


@needs_torch
@pytest.mark.parametrize("fn", ["cross_entropy", "nll_loss"])
@pytest.mark.parametrize("xs,ts,tdtype", [
    ((2, 3, 4), (2, 5), "f"), ((2, 3, 4), (3, 4), "f"), ((3,), (2,), "f"), ((4, 3), (5,), "f"),
    ((4, 3), (4, 2), "f"), ((4, 3), (4,), "f"), ((4, 3), (), "i"), ((3,), (2,), "i"),
    ((2, 3, 4), (2,), "i"), ((2, 0), (2,), "i"),
])
def test_target_errors_match_torch_in_order(torch, fn, xs, ts, tdtype):
    """Which check fires first (batch size, target shape, dtype, bounds) matches torch."""
    x = _rng(23).random(xs).astype(np.float32)
    t = _rng(24).random(ts).astype(np.float32) if tdtype == "f" else np.zeros(ts, np.int64)
    with pytest.raises(Exception) as theirs:
        getattr(torch.nn.functional, fn)(torch.tensor(x), torch.tensor(t))
    with pytest.raises(type(theirs.value)) as ours:
        getattr(F, fn)(gt.tensor(x), gt.tensor(t))
    assert str(ours.value) == str(theirs.value)


@needs_torch
@pytest.mark.parametrize("seed", range(60))
def test_cross_entropy_random_configurations(torch, seed):
    """Random ranks (unbatched to 4-D), sizes (including empty batches and one class), scales,
    ignored targets, weights, smoothing and reductions: loss and gradient as torch's."""
    rng = _rng(100 + seed)
    n_classes = int(rng.integers(1, 6))
    ndim = int(rng.integers(1, 5))
    if ndim == 1:
        xs, ts = (n_classes,), ()
    else:
        extra = tuple(int(v) for v in rng.integers(0, 3, ndim - 2))
        n = int(rng.integers(0, 4))
        xs, ts = (n, n_classes) + extra, (n,) + extra
    dtype = (np.float32, np.float64)[seed % 2]
    x = (rng.standard_normal(xs) * rng.choice([1.0, 10.0, 1e3])).astype(dtype)
    probs = seed % 3 == 0
    if probs:
        y = rng.random(xs).astype(dtype)
    else:
        y = rng.integers(0, n_classes, ts)
        if y.size:
            y.reshape(-1)[rng.random(y.size) < 0.2] = -100
    w = rng.uniform(0.1, 2, n_classes).astype(dtype) if rng.random() < 0.5 else None
    kw = {"label_smoothing": float(rng.choice([0.0, 0.1, 0.5])),
          "reduction": str(rng.choice(["mean", "sum", "none"]))}

    def make(lib, a, b, c):
        return lib.nn.functional.cross_entropy(a, b, weight=c, **kw)

    ours, (g,) = _run(gt, make, [x, y, w])
    theirs, (tg,) = _run(torch, make, [x, y, w])
    tol = {"rtol": 1e-4, "atol": 1e-5} if dtype == np.float32 else {}
    assert_same(ours, theirs, **tol)
    assert_same(g, tg, **tol)


@needs_torch
@pytest.mark.parametrize("name,args,shapes", [
    ("MarginRankingLoss", {"margin": 0.2}, [(6,), (6,), "sign"]),
    ("HingeEmbeddingLoss", {"margin": 0.5}, [(6,), "sign"]),
    ("SoftMarginLoss", {}, [(6,), "sign"]),
    ("CosineEmbeddingLoss", {"margin": 0.1}, [(6, 4), (6, 4), "sign"]),
    ("TripletMarginLoss", {"p": 1.0, "swap": True}, [(6, 4), (6, 4), (6, 4)]),
    ("PoissonNLLLoss", {}, [(6, 4), "counts"]),
    ("GaussianNLLLoss", {"full": True}, [(6, 4), (6, 4), "var"]),
    ("MultiLabelSoftMarginLoss", {}, [(6, 4), "labels"]),
])
def test_more_loss_modules(torch, name, args, shapes):
    rng = _rng(30)
    arrays = []
    for s in shapes:
        if s == "sign":
            arrays.append(rng.choice([-1.0, 1.0], 6))
        elif s == "counts":
            arrays.append(rng.integers(0, 5, (6, 4)).astype(np.float64))
        elif s == "var":
            arrays.append(rng.uniform(0.1, 2, (6, 4)))
        elif s == "labels":
            arrays.append(rng.integers(0, 2, (6, 4)).astype(np.float64))
        else:
            arrays.append(rng.standard_normal(s))

    def make(lib, *xs):
        mod = getattr(L, name) if lib is gt else getattr(lib.nn, name)
        return mod(**args)(*xs)

    _compare(torch, make, arrays, grad_idx=(0,))


@pytest.mark.parametrize("make", [
    lambda x: F.cross_entropy(x, gt.tensor([0, 2])),
    lambda x: F.cross_entropy(x, F.softmax(x.detach(), 1)),
    lambda x: F.nll_loss(x, gt.tensor([0, 2])),
    lambda x: F.embedding(gt.tensor([1, 0]), x).sum(),
    lambda x: F.mse_loss(x, x.detach() * 2),
], ids=["cross_entropy", "cross_entropy_probs", "nll_loss", "embedding", "mse_loss"])
def test_second_backward_without_retain_graph_raises(make):
    x = gt.tensor([[0.5, -1.0, 2.0], [1.5, 0.2, -0.3]], requires_grad=True)
    loss = make(x)
    loss.backward(retain_graph=True)
    loss.backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        loss.backward()


@needs_torch
def test_cross_entropy_backward_after_logits_change_in_place(torch):
    """Like torch, the fused node keeps what it needs (the softmax), not the logits."""
    arr = _rng(31).standard_normal((3, 4)).astype(np.float32)
    grads = []
    for lib in (gt, torch):
        leaf = lib.tensor(arr, requires_grad=True)
        logits = leaf * 2
        loss = lib.nn.functional.cross_entropy(logits, lib.tensor([0, 3, 1]))
        with lib.no_grad():
            logits.add_(1.0)
        loss.backward()
        grads.append(leaf.grad)
    assert_same(grads[0], grads[1])


class _ForgetsReturn:
    """A model whose forward computes its output but never returns it (a learner's slip)."""

    def __init__(self, lib):
        self.linear = lib.nn.Linear(2, 1)

    def __call__(self, X):
        self.linear(X)  # no `return`


@needs_torch
@pytest.mark.parametrize("loss", ["MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "BCELoss",
                                  "BCEWithLogitsLoss", "CrossEntropyLoss", "NLLLoss"])
def test_a_forward_that_forgets_return_gets_torchs_error_and_the_cause(loss):
    from oracle import raised

    def train_step(lib):
        net = _ForgetsReturn(lib)
        y = lib.zeros(4, dtype=lib.long) if loss in ("CrossEntropyLoss", "NLLLoss") \
            else lib.zeros(4, 1)
        getattr(lib.nn, loss)()(net(lib.ones(4, 2)), y)

    ours, theirs = raised(train_step, gt), raised(train_step, __import__("torch"))
    assert ours[0] == theirs[0]
    assert ours[1].startswith(theirs[1])  # torch's words first, then (maybe) the likely cause
    if ours[0] == "AttributeError":
        assert "forget to `return`" in ours[1]
