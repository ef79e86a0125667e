"""Catalogue entries for ``torch.nn.functional``: activations, softmax, linear, dropout (its
deterministic cases), one_hot, embedding, pad, distances and every loss with each reduction.

Class-index targets are the second input with dtype int64 drawn from the domain (0, 2), so
classes 0..2 for C = 3 (or more) columns; fixed ``values`` cover ignore_index and errors.
"""

from __future__ import annotations

import warnings

import numpy as np

import glasstorch.nn.functional  # noqa: F401  (makes ``glasstorch.nn.functional`` an attribute)

from .spec import ErrorSpec, OpSpec


def F(lib):
    return lib.nn.functional


def _quiet(fn):
    """``fn`` with warnings silenced (for calls whose torch warning is expected and tested
    elsewhere: kl_div's 'mean', mse_loss's broadcasting)."""

    def call(*args, **kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(*args, **kwargs)

    return call


def _rand(*shapes):
    """Fixed float32 inputs in [0.1, 0.9] (ErrorSpec takes ``values``, not shapes/domains)."""
    rng = np.random.default_rng(0)
    return [rng.uniform(0.1, 0.9, size=s).astype(np.float32) for s in shapes]


OPS: list = []
ERRORS: list = []

# ---- activations: each on a 2-D float32 input, float64 too, plus 0-d and empty shapes ----------
_ACTIVATIONS = {
    "relu": lambda lib, x: F(lib).relu(x),
    "relu6": lambda lib, x: F(lib).relu6(x * 4),
    "leaky_relu": lambda lib, x: F(lib).leaky_relu(x, 0.2),
    "hardtanh": lambda lib, x: F(lib).hardtanh(x, -0.5, 0.7),
    "threshold": lambda lib, x: F(lib).threshold(x, 0.1, 20.0),
    "elu": lambda lib, x: F(lib).elu(x),
    "elu/alpha": lambda lib, x: F(lib).elu(x, alpha=0.5),
    "selu": lambda lib, x: F(lib).selu(x),
    "celu": lambda lib, x: F(lib).celu(x, alpha=2.0),
    "gelu": lambda lib, x: F(lib).gelu(x),
    "gelu/tanh": lambda lib, x: F(lib).gelu(x, approximate="tanh"),
    "silu": lambda lib, x: F(lib).silu(x),
    "mish": lambda lib, x: F(lib).mish(x),
    "softplus": lambda lib, x: F(lib).softplus(x),
    "softplus/beta_threshold": lambda lib, x: F(lib).softplus(x, beta=2.0, threshold=1.0),
    "logsigmoid": lambda lib, x: F(lib).logsigmoid(x),
    "sigmoid": lambda lib, x: F(lib).sigmoid(x),
    "tanh": lambda lib, x: F(lib).tanh(x),
    "softsign": lambda lib, x: F(lib).softsign(x),
    "tanhshrink": lambda lib, x: F(lib).tanhshrink(x),
    "hardsigmoid": lambda lib, x: F(lib).hardsigmoid(x * 3),
    "hardswish": lambda lib, x: F(lib).hardswish(x * 3),
    "hardshrink": lambda lib, x: F(lib).hardshrink(x),
    "softshrink": lambda lib, x: F(lib).softshrink(x, 0.3),
    "rrelu/eval": lambda lib, x: F(lib).rrelu(x),
    "softmax/dim1": lambda lib, x: F(lib).softmax(x, dim=1),
    "softmax/dim0": lambda lib, x: F(lib).softmax(x, dim=0),
    "log_softmax/dim1": lambda lib, x: F(lib).log_softmax(x, dim=1),
    "log_softmax/dim-1": lambda lib, x: F(lib).log_softmax(x, -1),
    "softmin": lambda lib, x: F(lib).softmin(x, dim=1),
}
for _name, _fn in _ACTIVATIONS.items():
    OPS.append(OpSpec(f"F.{_name}", _fn, shapes=[(3, 4)]))
    OPS.append(OpSpec(f"F.{_name}/float64", _fn, shapes=[(3, 4)], dtype="float64"))
    if "softmax" not in _name and "softmin" not in _name:
        OPS.append(OpSpec(f"F.{_name}/0d", _fn, shapes=[()]))
        OPS.append(OpSpec(f"F.{_name}/empty", _fn, shapes=[(0, 3)], gradcheck=False))
OPS += [
    OpSpec("Tensor.softmax", lambda lib, x: x.softmax(1), shapes=[(2, 3, 4)]),
    OpSpec("Tensor.log_softmax", lambda lib, x: x.log_softmax(-1, dtype=lib.float64)),
    OpSpec("Tensor.prelu", lambda lib, x, w: x.prelu(w), shapes=[(3, 4), (4,)]),
    OpSpec("Tensor.hardshrink", lambda lib, x: x.hardshrink(0.3)),
    OpSpec("F.softmax/3d", lambda lib, x: F(lib).softmax(x, 1), shapes=[(2, 3, 4)]),
    OpSpec("F.log_softmax/3d", lambda lib, x: F(lib).log_softmax(x, 2), shapes=[(2, 3, 4)]),
    OpSpec("F.softmax/0d", lambda lib, x: F(lib).softmax(x, 0), shapes=[()]),
    OpSpec("F.softmax/empty", lambda lib, x: F(lib).softmax(x, 1), shapes=[(0, 3)],
           gradcheck=False),
    OpSpec("F.softmax/dtype", lambda lib, x: F(lib).softmax(x, 1, dtype=lib.float64)),
    OpSpec("F.log_softmax/extreme", lambda lib, x: F(lib).log_softmax(x * 1e4, 1)),
    OpSpec("F.softmax/extreme", lambda lib, x: F(lib).softmax(x * 1e4, 1), gradcheck=False),
    OpSpec("F.relu/int", lambda lib, x: F(lib).relu(x), dtype="int64", grad=False),
    OpSpec("F.hardtanh/int", lambda lib, x: F(lib).hardtanh(x, -1, 1), dtype="int64",
           grad=False),
    OpSpec("F.glu", lambda lib, x: F(lib).glu(x), shapes=[(3, 4)]),
    OpSpec("F.glu/dim0", lambda lib, x: F(lib).glu(x, 0), shapes=[(4, 3)], dtype="float64"),
    OpSpec("F.prelu/shared", lambda lib, x, w: F(lib).prelu(x, w), shapes=[(3, 4, 2), (1,)]),
    OpSpec("F.prelu/per_channel", lambda lib, x, w: F(lib).prelu(x, w), shapes=[(3, 4, 2), (4,)],
           dtype="float64"),
    OpSpec("F.prelu/1d", lambda lib, x, w: F(lib).prelu(x, w), shapes=[(4,), (1,)]),
    OpSpec("F.hardswish/inplace", lambda lib, x: F(lib).hardswish(x * 3, inplace=True)),
    OpSpec("F.relu/inplace", lambda lib, x: F(lib).relu(x * 1, inplace=True)),
    OpSpec("F.leaky_relu/inplace", lambda lib, x: F(lib).leaky_relu(x * 1, 0.1, True)),
    OpSpec("F.elu/inplace", lambda lib, x: F(lib).elu(x * 1, inplace=True)),
    OpSpec("F.hardtanh/inplace", lambda lib, x: F(lib).hardtanh(x * 1, inplace=True)),
    OpSpec("F.silu/inplace", lambda lib, x: F(lib).silu(x * 1, inplace=True)),
]

# ---- linear --------------------------------------------------------------------------------------
_lin = lambda lib, x, w, b: F(lib).linear(x, w, b)  # noqa: E731
_lin_nb = lambda lib, x, w: F(lib).linear(x, w)  # noqa: E731
OPS += [
    OpSpec("F.linear", _lin, shapes=[(5, 4), (3, 4), (3,)]),
    OpSpec("F.linear/float64", _lin, shapes=[(5, 4), (3, 4), (3,)], dtype="float64"),
    OpSpec("F.linear/no_bias", _lin_nb, shapes=[(5, 4), (3, 4)]),
    OpSpec("F.linear/3d", _lin, shapes=[(2, 5, 4), (3, 4), (3,)]),
    OpSpec("F.linear/3d_no_bias", _lin_nb, shapes=[(2, 5, 4), (3, 4)]),
    OpSpec("F.linear/1d", _lin, shapes=[(4,), (3, 4), (3,)]),
    OpSpec("F.linear/1d_no_bias", _lin_nb, shapes=[(4,), (3, 4)]),
    OpSpec("F.linear/empty_batch", _lin, shapes=[(0, 4), (3, 4), (3,)], gradcheck=False),
    OpSpec("F.linear/only_weight_grad", _lin, shapes=[(5, 4), (3, 4), (3,)], grad_inputs=(1,)),
    OpSpec("F.linear/only_input_grad", _lin_nb, shapes=[(5, 4), (3, 4)], grad_inputs=(0,)),
    OpSpec("F.linear/1d_weight", _lin_nb, shapes=[(5, 4), (4,)]),
]

# ---- dropout (deterministic cases), one_hot, embedding, pad, distances ---------------------------
OPS += [
    OpSpec("F.dropout/eval", lambda lib, x: F(lib).dropout(x * 1, 0.5, training=False)),
    OpSpec("F.dropout/p0", lambda lib, x: F(lib).dropout(x * 1, 0.0)),
    OpSpec("F.dropout/p1", lambda lib, x: F(lib).dropout(x, 1.0)),
    OpSpec("F.one_hot", lambda lib, t: F(lib).one_hot(t), dtype="int64", domain=(0, 4),
           shapes=[(5,)], grad=False),
    OpSpec("F.one_hot/num_classes", lambda lib, t: F(lib).one_hot(t, 6), dtype="int64",
           domain=(0, 4), shapes=[(2, 3)], grad=False),
    OpSpec("F.one_hot/empty", lambda lib, t: F(lib).one_hot(t, 3), dtype="int64",
           shapes=[(0,)], grad=False),
    OpSpec("F.embedding", lambda lib, w, i: F(lib).embedding(i, w), shapes=[(3, 4), (2, 5)],
           dtypes=("float32", "int64"), domain=(0, 2), gradcheck=False),
    OpSpec("F.embedding/float64", lambda lib, w, i: F(lib).embedding(i, w),
           shapes=[(3, 4), (2, 5)], dtypes=("float64", "int64"), domain=(0, 2)),
    OpSpec("F.embedding/padding_idx", lambda lib, w, i: F(lib).embedding(i, w, padding_idx=1),
           shapes=[(3, 4), (6,)], dtypes=("float64", "int64"), domain=(0, 2), gradcheck=False,
           note="the padding row's gradient is 0 by design, not the numerical derivative"),
    OpSpec("F.embedding/by_freq",
           lambda lib, w, i: F(lib).embedding(i, w, scale_grad_by_freq=True),
           shapes=[(3, 4), (7,)], dtypes=("float64", "int64"), domain=(0, 2), gradcheck=False,
           note="gradients are rescaled by 1/frequency by design"),
    OpSpec("F.pad", lambda lib, x: F(lib).pad(x, (1, 2))),
    OpSpec("F.pad/2d_value", lambda lib, x: F(lib).pad(x, (1, 1, 2, 0), value=1.5)),
    OpSpec("F.pad/negative", lambda lib, x: F(lib).pad(x, (-1, 2, 1, -1))),
    OpSpec("F.normalize", lambda lib, x: F(lib).normalize(x)),
    OpSpec("F.normalize/p1_dim0", lambda lib, x: F(lib).normalize(x, p=1.0, dim=0)),
    OpSpec("F.cosine_similarity", lambda lib, a, b: F(lib).cosine_similarity(a, b),
           shapes=[(3, 4), (3, 4)]),
    OpSpec("F.cosine_similarity/broadcast",
           lambda lib, a, b: F(lib).cosine_similarity(a, b, dim=-1), shapes=[(3, 4), (4,)]),
    OpSpec("F.pairwise_distance", lambda lib, a, b: F(lib).pairwise_distance(a, b),
           shapes=[(3, 4), (3, 4)]),
]

# ---- elementwise losses: every reduction, float32 and float64, target gradients too --------------
_PAIR_LOSSES = {
    "mse_loss": lambda lib, x, t, r: F(lib).mse_loss(x, t, reduction=r),
    "l1_loss": lambda lib, x, t, r: F(lib).l1_loss(x, t, reduction=r),
    "smooth_l1_loss": lambda lib, x, t, r: F(lib).smooth_l1_loss(x, t, reduction=r),
    "smooth_l1_loss/beta": lambda lib, x, t, r: F(lib).smooth_l1_loss(x, t, reduction=r,
                                                                      beta=0.5),
    "smooth_l1_loss/beta0": lambda lib, x, t, r: F(lib).smooth_l1_loss(x, t, reduction=r,
                                                                       beta=0.0),
    "huber_loss": lambda lib, x, t, r: F(lib).huber_loss(x, t, reduction=r),
    "huber_loss/delta": lambda lib, x, t, r: F(lib).huber_loss(x, t, reduction=r, delta=0.5),
    "binary_cross_entropy": lambda lib, x, t, r: F(lib).binary_cross_entropy(x, t, reduction=r),
    "bce_with_logits": lambda lib, x, t, r: F(lib).binary_cross_entropy_with_logits(
        x * 6 - 3, t, reduction=r),
    "kl_div": _quiet(lambda lib, x, t, r: F(lib).kl_div(x.log(), t, reduction=r)),
    "kl_div/log_target": _quiet(lambda lib, x, t, r: F(lib).kl_div(x, t.log(), reduction=r,
                                                                   log_target=True)),
}
for _name, _fn in _PAIR_LOSSES.items():
    for _r in ("mean", "sum", "none"):
        for _dt in ("float32", "float64"):
            OPS.append(OpSpec(
                f"F.{_name}/{_r}/{_dt}", lambda lib, x, t, _f=_fn, _r=_r: _f(lib, x, t, _r),
                shapes=[(4, 3), (4, 3)], dtype=_dt, domain=(0.05, 0.95),
            ))
OPS += [
    OpSpec("F.mse_loss/0d", lambda lib, x, t: F(lib).mse_loss(x, t), shapes=[(), ()]),
    OpSpec("F.mse_loss/empty", lambda lib, x, t: F(lib).mse_loss(x, t), shapes=[(0,), (0,)],
           grad=False),
    OpSpec("F.mse_loss/weight", lambda lib, x, t, w: F(lib).mse_loss(x, t, weight=w),
           shapes=[(4, 3)] * 3, grad_inputs=(0, 1)),
    OpSpec("F.l1_loss/weight", lambda lib, x, t, w: F(lib).l1_loss(x, t, weight=w),
           shapes=[(4, 3)] * 3, grad_inputs=(0, 1)),
    OpSpec("F.huber_loss/weight", lambda lib, x, t, w: F(lib).huber_loss(x, t, weight=w),
           shapes=[(4, 3)] * 3, grad_inputs=(0, 1)),
    OpSpec("F.binary_cross_entropy/weight",
           lambda lib, x, t, w: F(lib).binary_cross_entropy(x, t, w), shapes=[(4, 3)] * 2 + [(3,)],
           domain=(0.05, 0.95), grad_inputs=(0, 1)),
    OpSpec("F.binary_cross_entropy/edges", lambda lib, x, t: F(lib).binary_cross_entropy(x, t),
           values=[[0.0, 1.0, 0.5, 1e-30], [1.0, 0.0, 0.5, 1.0]], grad=False),
    OpSpec("F.bce_with_logits/pos_weight_weight",
           lambda lib, x, t, w, pw: F(lib).binary_cross_entropy_with_logits(
               x * 6 - 3, t, w, pos_weight=pw),
           shapes=[(4, 3), (4, 3), (4, 1), (3,)], domain=(0.05, 0.95), grad_inputs=(0, 1)),
    OpSpec("F.bce_with_logits/extreme", lambda lib, x, t: F(lib).binary_cross_entropy_with_logits(
        x, t, reduction="none"), values=[[1e4, -1e4, 1e4, -1e4], [0.0, 1.0, 1.0, 0.0]],
        gradcheck=False, grad_inputs=(0,)),
    OpSpec("F.kl_div/batchmean", lambda lib, x, t: F(lib).kl_div(x.log(), t, reduction="batchmean"),
           shapes=[(4, 3), (4, 3)], domain=(0.05, 0.95)),
]

# ---- margin, embedding and likelihood losses ----------------------------------------------------
_SIGN = [1.0, -1.0, 1.0, 1.0, -1.0]
_MORE = {
    "margin_ranking_loss": (lambda lib, a, b, y, r: F(lib).margin_ranking_loss(a, b, y, 0.3,
                            reduction=r), [(5,), (5,)], [_SIGN]),
    "hinge_embedding_loss": (lambda lib, a, y, r: F(lib).hinge_embedding_loss(a, y, 1.2,
                             reduction=r), [(5,)], [_SIGN]),
    "soft_margin_loss": (lambda lib, a, y, r: F(lib).soft_margin_loss(a, y, reduction=r),
                         [(5,)], [_SIGN]),
    "cosine_embedding_loss": (lambda lib, a, b, y, r: F(lib).cosine_embedding_loss(
        a, b, y, 0.1, reduction=r), [(5, 3), (5, 3)], [_SIGN]),
    "triplet_margin_loss": (lambda lib, a, b, c, r: F(lib).triplet_margin_loss(
        a, b, c, reduction=r), [(5, 3), (5, 3), (5, 3)], []),
    "triplet_margin_loss/swap_p1": (lambda lib, a, b, c, r: F(lib).triplet_margin_loss(
        a, b, c, margin=2.0, p=1, swap=True, reduction=r), [(5, 3), (5, 3), (5, 3)], []),
    "poisson_nll_loss": (lambda lib, a, t, r: F(lib).poisson_nll_loss(a, t * 3, reduction=r),
                         [(5, 3), (5, 3)], []),
    "poisson_nll_loss/rate_full": (lambda lib, a, t, r: F(lib).poisson_nll_loss(
        a.abs() + 0.1, t.abs() * 3, log_input=False, full=True, reduction=r), [(5, 3), (5, 3)],
        []),
    "gaussian_nll_loss": (lambda lib, a, t, v, r: F(lib).gaussian_nll_loss(
        a, t, v.abs() + 0.1, reduction=r), [(5, 3), (5, 3), (5, 3)], []),
    "gaussian_nll_loss/per_sample_var_full": (lambda lib, a, t, v, r: F(lib).gaussian_nll_loss(
        a, t, v.abs() + 0.1, full=True, reduction=r), [(5, 3), (5, 3), (5,)], []),
    "multilabel_soft_margin_loss": (lambda lib, a, t, r: F(lib).multilabel_soft_margin_loss(
        a, t.abs().round(), reduction=r), [(5, 3), (5, 3)], []),
    "multilabel_soft_margin_loss/weight": (lambda lib, a, t, w, r:
        F(lib).multilabel_soft_margin_loss(a, t.abs().round(), w, reduction=r),
        [(5, 3), (5, 3), (3,)], []),
}
for _name, (_fn, _shapes, _fixed) in _MORE.items():
    for _r in ("mean", "sum", "none"):
        _n = len(_shapes)
        if _fixed:
            _vals = [np.random.default_rng(_i).uniform(-2, 2, s).astype(np.float64)
                     for _i, s in enumerate(_shapes)] + [np.array(v) for v in _fixed]
            OPS.append(OpSpec(f"F.{_name}/{_r}", lambda lib, *xs, _f=_fn, _r=_r: _f(lib, *xs, _r),
                              values=_vals, grad_inputs=tuple(range(_n))))
        else:
            OPS.append(OpSpec(f"F.{_name}/{_r}", lambda lib, *xs, _f=_fn, _r=_r: _f(lib, *xs, _r),
                              shapes=_shapes, grad_inputs=tuple(range(_n - 1 if "weight" in _name
                                                                      else _n))))
ERRORS += [
    ErrorSpec("F.gaussian_nll_loss/negative_var",
              lambda lib, a, t: F(lib).gaussian_nll_loss(a, t, -t), values=_rand((3,), (3,)),
              exc=ValueError, contains=("var has negative entry/entries",)),
    ErrorSpec("F.gaussian_nll_loss/var_size",
              lambda lib, a, t, v: F(lib).gaussian_nll_loss(a, t, v),
              values=_rand((3, 2), (3, 2), (2, 3)), exc=ValueError,
              contains=("var is of incorrect size",)),
]

# ---- cross_entropy and nll_loss ------------------------------------------------------------------
_ce = lambda lib, x, t, **kw: F(lib).cross_entropy(x, t, **kw)  # noqa: E731
_IDX = dict(dtypes=("float32", "int64"), domain=(0, 2))
for _r in ("mean", "sum", "none"):
    for _dt in ("float32", "float64"):
        # the driver's float64 gradcheck keeps per-input ``dtypes``: run it on the float64 specs
        _d = dict(_IDX, dtypes=(_dt, "int64"), gradcheck=_dt == "float64")
        OPS += [
            OpSpec(f"F.cross_entropy/{_r}/{_dt}", lambda lib, x, t, _r=_r: _ce(lib, x, t,
                   reduction=_r), shapes=[(5, 4), (5,)], **_d),
            OpSpec(f"F.cross_entropy/smoothing/{_r}/{_dt}",
                   lambda lib, x, t, _r=_r: _ce(lib, x, t, reduction=_r, label_smoothing=0.2),
                   shapes=[(5, 4), (5,)], **_d),
            OpSpec(f"F.cross_entropy/weight/{_r}/{_dt}",
                   lambda lib, x, t, w, _r=_r: _ce(lib, x, t, weight=w, reduction=_r),
                   shapes=[(5, 4), (5,), (4,)], dtypes=(_dt, "int64", _dt), domain=(0, 2),
                   grad_inputs=(0,), gradcheck=_dt == "float64"),
            OpSpec(f"F.cross_entropy/weight_smoothing/{_r}/{_dt}",
                   lambda lib, x, t, w, _r=_r: _ce(lib, x, t, weight=w, reduction=_r,
                                                   label_smoothing=0.3),
                   shapes=[(5, 4), (5,), (4,)], dtypes=(_dt, "int64", _dt), domain=(0, 2),
                   grad_inputs=(0,), gradcheck=_dt == "float64"),
            OpSpec(f"F.cross_entropy/4d/{_r}/{_dt}",
                   lambda lib, x, t, _r=_r: _ce(lib, x, t, reduction=_r, label_smoothing=0.1),
                   shapes=[(2, 3, 2, 3), (2, 2, 3)], **_d),
            OpSpec(f"F.cross_entropy/probs/{_r}/{_dt}",
                   lambda lib, x, t, _r=_r: _ce(lib, x, t, reduction=_r), shapes=[(5, 4), (5, 4)],
                   dtype=_dt, domain=(0.05, 1)),
            OpSpec(f"F.cross_entropy/probs_weight_smoothing/{_r}/{_dt}",
                   lambda lib, x, t, w, _r=_r: _ce(lib, x, t, weight=w, reduction=_r,
                                                   label_smoothing=0.25),
                   shapes=[(2, 4, 3), (2, 4, 3), (4,)], dtype=_dt, domain=(0.05, 1),
                   grad_inputs=(0, 1)),
            OpSpec(f"F.nll_loss/{_r}/{_dt}",
                   lambda lib, x, t, _r=_r: F(lib).nll_loss(x, t, reduction=_r),
                   shapes=[(5, 4), (5,)], **_d),
            OpSpec(f"F.nll_loss/weight_4d/{_r}/{_dt}",
                   lambda lib, x, t, w, _r=_r: F(lib).nll_loss(x, t, w, reduction=_r),
                   shapes=[(2, 3, 2, 2), (2, 2, 2), (3,)], dtypes=(_dt, "int64", _dt),
                   domain=(0, 2), grad_inputs=(0,), gradcheck=_dt == "float64"),
        ]
_IGN = [[[0.5, -1.0, 2.0], [1.5, 0.2, -0.3], [0.1, 0.1, 0.9], [-2.0, 1.0, 0.0]], [2, -100, 0, 1]]
_IGN_W = _IGN + [[0.2, 1.0, 3.0]]
OPS += [
    OpSpec("F.cross_entropy/ignore_index", lambda lib, x, t: _ce(lib, x, t), values=_IGN,
           grad_inputs=(0,)),
    OpSpec("F.cross_entropy/ignore_index_smoothing_weight",
           lambda lib, x, t, w: _ce(lib, x, t, weight=w, label_smoothing=0.2), values=_IGN_W,
           grad_inputs=(0,)),
    OpSpec("F.cross_entropy/ignore_index_none",
           lambda lib, x, t: _ce(lib, x, t, reduction="none", label_smoothing=0.2), values=_IGN,
           grad_inputs=(0,)),
    OpSpec("F.cross_entropy/custom_ignore", lambda lib, x, t: _ce(lib, x, t, ignore_index=1),
           values=[_IGN[0], [2, 1, 0, 1]], grad_inputs=(0,)),
    OpSpec("F.nll_loss/ignore_index_weight", lambda lib, x, t, w: F(lib).nll_loss(x, t, w),
           values=_IGN_W, grad_inputs=(0,)),
    OpSpec("F.cross_entropy/unbatched", lambda lib, x, t: _ce(lib, x, t),
           values=[[0.5, -1.0, 2.0], 2], grad_inputs=(0,)),
    OpSpec("F.cross_entropy/extreme_logits", lambda lib, x, t: _ce(lib, x * 1e4, t,
           reduction="none"), values=[[[1.0, -1.0, 0.5], [-1.0, 1.0, 0.0]], [1, 1]],
           grad_inputs=(0,), gradcheck=False),
    OpSpec("F.cross_entropy/uint8_target", lambda lib, x, t: _ce(lib, x, t), shapes=[(4, 3), (4,)],
           dtypes=("float32", "uint8"), domain=(0, 2), gradcheck=False),
]

# ---- mixed-dtype regression losses (torch broadcasts, then promotes) --------------------------
for _loss in ("mse_loss", "l1_loss", "smooth_l1_loss"):
    OPS += [
        OpSpec(f"F.{_loss}/float32_float64", lambda lib, x, t, _l=_loss: getattr(F(lib), _l)(x, t),
               shapes=[(3, 4), (3, 4)], dtypes=("float32", "float64"), gradcheck=False),
        OpSpec(f"F.{_loss}/0d_float64_float32",
               _quiet(lambda lib, x, t, _l=_loss: getattr(F(lib), _l)(x, t, reduction="none")),
               shapes=[(), (3,)], dtypes=("float64", "float32"), gradcheck=False),
    ]
OPS += [
    OpSpec("F.huber_loss/float32_float64", lambda lib, x, t: F(lib).huber_loss(x, t),
           shapes=[(3, 4), (3, 4)], dtypes=("float32", "float64"), grad=False,
           note="torch 2.13's backward raises on mixed dtypes; ours: tests/test_fidelity_nn.py"),
]

# ---- rearrangements, bilinear, attention -------------------------------------------------------
_SDPA = lambda lib: F(lib).scaled_dot_product_attention  # noqa: E731
OPS += [
    OpSpec("F.pixel_shuffle", lambda lib, x: F(lib).pixel_shuffle(x, 2), shapes=[(2, 8, 2, 3)]),
    OpSpec("F.pixel_shuffle/5d", lambda lib, x: F(lib).pixel_shuffle(x, 3),
           shapes=[(2, 1, 9, 2, 1)]),
    OpSpec("F.pixel_shuffle/unbatched_empty", lambda lib, x: F(lib).pixel_shuffle(x, 2),
           shapes=[(4, 0, 3)], grad=False,
           note="torch 2.13's backward of an empty pixel_shuffle returns the wrong shape"),
    OpSpec("F.pixel_shuffle/int", lambda lib, x: F(lib).pixel_shuffle(x, 2),
           shapes=[(1, 4, 1, 2)], dtype="int64", domain=(0, 9), grad=False),
    OpSpec("F.pixel_unshuffle", lambda lib, x: F(lib).pixel_unshuffle(x, 2),
           shapes=[(2, 2, 4, 6)]),
    OpSpec("F.pixel_unshuffle/unbatched_float64", lambda lib, x: F(lib).pixel_unshuffle(x, 3),
           shapes=[(1, 3, 6)], dtype="float64"),
    OpSpec("F.bilinear", lambda lib, a, b, w, c: F(lib).bilinear(a, b, w, c),
           shapes=[(4, 3), (4, 5), (2, 3, 5), (2,)]),
    OpSpec("F.bilinear/no_bias_3d", lambda lib, a, b, w: F(lib).bilinear(a, b, w),
           shapes=[(2, 4, 3), (2, 4, 5), (2, 3, 5)]),
    OpSpec("F.bilinear/unbatched", lambda lib, a, b, w, c: F(lib).bilinear(a, b, w, c),
           shapes=[(3,), (5,), (2, 3, 5), (2,)]),
    OpSpec("F.bilinear/empty", lambda lib, a, b, w, c: F(lib).bilinear(a, b, w, c),
           shapes=[(0, 3), (0, 5), (2, 3, 5), (2,)], gradcheck=False),
    OpSpec("F.sdpa", lambda lib, q, k, v: _SDPA(lib)(q, k, v),
           shapes=[(2, 3, 4), (2, 5, 4), (2, 5, 6)]),
    OpSpec("F.sdpa/4d_scale", lambda lib, q, k, v: _SDPA(lib)(q, k, v, scale=0.3),
           shapes=[(2, 2, 3, 4), (2, 2, 5, 4), (2, 2, 5, 3)]),
    OpSpec("F.sdpa/bool_mask", lambda lib, q, k, v, m: _SDPA(lib)(q, k, v, attn_mask=m),
           shapes=[(2, 4, 4), (2, 5, 4), (2, 5, 6), (4, 5)],
           dtypes=("float32", "float32", "float32", "bool")),
    OpSpec("F.sdpa/blocked_query", lambda lib, q, k, v, m: _SDPA(lib)(q, k, v, attn_mask=m),
           values=[[[0.1, 0.2], [0.5, -1.0]], [[0.3, 0.1], [-0.2, 0.4], [1.0, 0.0]],
                   [[1.0, 2.0], [0.5, -0.5], [0.0, 1.0]], [[True, False, True], [False] * 3]],
           grad_inputs=(0, 1, 2)),
    OpSpec("F.sdpa/float_mask", lambda lib, q, k, v, m: _SDPA(lib)(q, k, v, attn_mask=m),
           shapes=[(2, 3, 4), (2, 5, 4), (2, 5, 6), (2, 3, 5)]),
    OpSpec("F.sdpa/causal", lambda lib, q, k, v: _SDPA(lib)(q, k, v, is_causal=True),
           shapes=[(2, 4, 4), (2, 3, 4), (2, 3, 2)]),
    OpSpec("F.sdpa/float64_broadcast", lambda lib, q, k, v: _SDPA(lib)(q, k, v),
           shapes=[(1, 2, 3, 4), (2, 5, 4), (2, 5, 6)], dtype="float64"),
    OpSpec("F.sdpa/gqa", lambda lib, q, k, v: _SDPA(lib)(q, k, v, enable_gqa=True),
           shapes=[(1, 4, 3, 4), (1, 2, 5, 4), (1, 2, 5, 3)]),
]

# ---- errors --------------------------------------------------------------------------------------
_X = [[0.5, -1.0, 2.0], [1.5, 0.2, -0.3]]
ERRORS += [
    ErrorSpec("F.linear/in_features", lambda lib, x, w: F(lib).linear(x, w),
              values=_rand((64, 20), (5, 10)),
              contains=("mat1 and mat2 shapes cannot be multiplied (64x20 and 10x5)",)),
    ErrorSpec("F.linear/3d_in_features", lambda lib, x, w: F(lib).linear(x, w),
              values=_rand((2, 64, 20), (5, 10)),
              contains=("mat1 and mat2 shapes cannot be multiplied (128x20 and 10x5)",)),
    ErrorSpec("F.linear/dtype", lambda lib, x, w: F(lib).linear(x, w.double()),
              values=_rand((4, 3), (2, 3)),
              contains=("expected m1 and m2 to have the same dtype, but got: float != double",)),
    ErrorSpec("F.cross_entropy/out_of_bounds", lambda lib, x, t: _ce(lib, x, t),
              values=[_X, [0, 5]], exc=IndexError, contains=("Target 5 is out of bounds.",)),
    ErrorSpec("F.cross_entropy/negative_target", lambda lib, x, t: _ce(lib, x, t),
              values=[_X, [0, -1]], exc=IndexError, contains=("Target -1 is out of bounds.",)),
    ErrorSpec("F.cross_entropy/float_target", lambda lib, x, t: _ce(lib, x, t.float()),
              values=[_X, [0, 1]],
              contains=("expected target dtype to be Long or Byte, but got Float",)),
    ErrorSpec("F.cross_entropy/long_probabilities", lambda lib, x, t: _ce(lib, x, t),
              values=[_X, [[0, 1, 0], [1, 0, 0]]],
              contains=("Expected floating point type for target with class probabilities, "
                        "got Long",)),
    ErrorSpec("F.cross_entropy/batch", lambda lib, x, t: _ce(lib, x, t), values=[_X, [0, 1, 2]],
              exc=ValueError,
              contains=("Expected input batch_size (2) to match target batch_size (3).",)),
    ErrorSpec("F.cross_entropy/0d_target", lambda lib, x, t: _ce(lib, x, t), values=[_X, 1],
              exc=ValueError,
              contains=("Expected input batch_size (2) to match target batch_size (0).",)),
    ErrorSpec("F.cross_entropy/multi_target", lambda lib, x, t: _ce(lib, x, t),
              values=[_X, [[0], [1]]],
              contains=("0D or 1D target tensor expected, multi-target not supported",)),
    ErrorSpec("F.cross_entropy/reduction", lambda lib, x, t: _ce(lib, x, t, reduction="avg"),
              values=[_X, [0, 1]], exc=ValueError,
              contains=("avg is not a valid value for reduction",)),
    ErrorSpec("F.cross_entropy/label_smoothing",
              lambda lib, x, t: _ce(lib, x, t, label_smoothing=1.5), values=[_X, [0, 1]],
              contains=("label_smoothing must be between 0.0 and 1.0. Got: 1.5",)),
    ErrorSpec("F.cross_entropy/weight_shape",
              lambda lib, x, t, w: _ce(lib, x, t, weight=w), values=[_X, [0, 1], [1.0, 2.0]],
              contains=("weight tensor should be defined either for all 3 classes or no classes "
                        "but got weight tensor of shape: [2]",)),
    ErrorSpec("F.cross_entropy/int_input", lambda lib, x, t: _ce(lib, x, t),
              values=[[[1, 2, 3]], [0]], exc=NotImplementedError,
              contains=("not implemented for 'Long'",)),
    ErrorSpec("F.nll_loss/4d_target", lambda lib, x, t: F(lib).nll_loss(x, t.long()),
              values=_rand((2, 3, 4), (2, 5)),
              contains=("Expected target size [2, 4], got [2, 5]",)),
    ErrorSpec("F.mse_loss/reduction", lambda lib, x, t: F(lib).mse_loss(x, t, reduction="foo"),
              values=_rand((3,), (3,)), exc=ValueError, contains=("foo is not a valid value",)),
    ErrorSpec("F.mse_loss/broadcast", _quiet(lambda lib, x, t: F(lib).mse_loss(x, t)),
              values=_rand((3, 2), (4,)),
              contains=("The size of tensor a (2) must match the size of tensor b (4) at "
                        "non-singleton dimension 1",)),
    ErrorSpec("F.smooth_l1_loss/beta", lambda lib, x, t: F(lib).smooth_l1_loss(x, t, beta=-1.0),
              contains=("smooth_l1_loss does not support negative values for beta.",),
              values=_rand((3,), (3,))),
    ErrorSpec("F.huber_loss/delta", lambda lib, x, t: F(lib).huber_loss(x, t, delta=0.0),
              contains=("huber_loss does not support non-positive values for delta.",),
              values=_rand((3,), (3,))),
    ErrorSpec("F.binary_cross_entropy/range", lambda lib, x, t: F(lib).binary_cross_entropy(x, t),
              values=[[0.5, 1.5], [0.0, 1.0]],
              contains=("all elements of input should be between 0 and 1",)),
    ErrorSpec("F.binary_cross_entropy/target_range",
              lambda lib, x, t: F(lib).binary_cross_entropy(x, t), values=[[0.5, 0.5], [0.0, 2.0]],
              contains=("all elements of target should be between 0 and 1",)),
    ErrorSpec("F.binary_cross_entropy/size", lambda lib, x, t: F(lib).binary_cross_entropy(x, t),
              values=_rand((3,), (3, 1)), exc=ValueError,
              contains=("Using a target size (torch.Size([3, 1])) that is different to the input "
                        "size (torch.Size([3])) is deprecated",)),
    ErrorSpec("F.bce_with_logits/size",
              lambda lib, x, t: F(lib).binary_cross_entropy_with_logits(x, t),
              values=_rand((3,), (3, 1)), exc=ValueError,
              contains=("Target size (torch.Size([3, 1])) must be the same as input size "
                        "(torch.Size([3]))",)),
    ErrorSpec("F.dropout/p", lambda lib, x: F(lib).dropout(x, 1.5),
              values=_rand((3, 4)), exc=ValueError,
              contains=("dropout probability has to be between 0 and 1, but got 1.5",)),
    ErrorSpec("F.dropout/negative_p", lambda lib, x: F(lib).dropout(x, -0.1),
              values=_rand((3, 4)), exc=ValueError,
              contains=("dropout probability has to be between 0 and 1, but got -0.1",)),
    ErrorSpec("F.one_hot/negative", lambda lib, t: F(lib).one_hot(t, 3), values=[[0, -1, 1]],
              contains=("Class values must be non-negative.",)),
    ErrorSpec("F.one_hot/too_big", lambda lib, t: F(lib).one_hot(t, 2), values=[[0, 2, 1]],
              contains=("Class values must be smaller than num_classes.",)),
    ErrorSpec("F.one_hot/float", lambda lib, t: F(lib).one_hot(t), values=[[0.0, 1.0]],
              contains=("one_hot is only applicable to index tensor of type LongTensor.",)),
    ErrorSpec("F.one_hot/empty_infer", lambda lib, t: F(lib).one_hot(t.long()), values=_rand((0,)),
              contains=("Can not infer total number of classes from empty",)),
    ErrorSpec("F.softmax/int", lambda lib, t: F(lib).softmax(t, 0), values=[[1, 2]],
              exc=NotImplementedError,
              contains=('"softmax_lastdim_kernel_impl" not implemented for \'Long\'',)),
    ErrorSpec("F.softmax/dim", lambda lib, x: F(lib).softmax(x, 2),
              values=_rand((3, 4)), exc=IndexError,
              contains=("Dimension out of range (expected to be in range of [-2, 1], but got 2)",)),
    ErrorSpec("F.gelu/int", lambda lib, t: F(lib).gelu(t), values=[[1, 2]],
              exc=NotImplementedError, contains=('"GeluKernelImpl" not implemented for \'Long\'',)),
    ErrorSpec("F.relu/bool", lambda lib, t: F(lib).relu(t > 0.5), values=_rand((3,)),
              contains=("Boolean inputs not supported for relu",)),
    ErrorSpec("F.dropout/int", lambda lib, t: F(lib).dropout(t.long(), 0.5), values=_rand((3,)),
              contains=("result type Float can't be cast to the desired output type Long",)),
    ErrorSpec("F.gelu/approximate", lambda lib, x: F(lib).gelu(x, approximate="foo"),
              values=_rand((3,)), contains=("approximate argument must be either none or tanh.",)),
    ErrorSpec("F.glu/odd", lambda lib, x: F(lib).glu(x, 1), values=_rand((3, 5)),
              contains=("Halving dimension must be even, but dimension 1 is size 5",)),
    ErrorSpec("F.prelu/channels", lambda lib, x, w: F(lib).prelu(x, w),
              values=_rand((3, 5), (3,)),
              contains=("Mismatch of parameter numbers and input channel size. Found parameter "
                        "numbers = 3 and channel size = 5.",)),
    ErrorSpec("F.relu/list", lambda lib, x: F(lib).relu(x.tolist()), values=_rand((3,)),
              exc=TypeError,
              contains=("relu(): argument 'input' (position 1) must be Tensor, not list",)),
    ErrorSpec("F.linear/list_weight", lambda lib, x: F(lib).linear(x, x.tolist()),
              values=_rand((3, 3)), exc=TypeError,
              contains=("linear(): argument 'weight' (position 2) must be Tensor, not list",)),
    ErrorSpec("F.cross_entropy/list_target", lambda lib, x: _ce(lib, x, [0, 1, 2]),
              values=_rand((3, 3)), exc=TypeError,
              contains=("cross_entropy_loss(): argument 'target' (position 2) must be Tensor, "
                        "not list",)),
    ErrorSpec("F.dropout/list", lambda lib, x: F(lib).dropout(x.tolist()), values=_rand((3,)),
              exc=TypeError,
              contains=("dropout(): argument 'input' (position 1) must be Tensor, not list",)),
    ErrorSpec("F.relu/inplace_leaf", lambda lib, x: F(lib).relu(x.requires_grad_(), True),
              values=_rand((3, 4)),
              contains=("a leaf Variable that requires grad is being used in an in-place",)),
    ErrorSpec("F.embedding/float_index", lambda lib, w, i: F(lib).embedding(i, w),
              values=_rand((3, 2), (2,)),
              contains=("Expected tensor for argument #1 'indices' to have one of the following "
                        "scalar types: Long, Int; but got torch.FloatTensor instead",)),
    ErrorSpec("F.embedding/out_of_range", lambda lib, w, i: F(lib).embedding(i, w),
              values=[[[1.0, 2.0], [3.0, 4.0]], [0, 5]], exc=IndexError,
              contains=("index out of range in self",)),
    ErrorSpec("F.pad/odd", lambda lib, x: F(lib).pad(x, (1, 2, 3)),
              values=_rand((3, 4)),
              contains=("Padding length must be divisible by 2",)),
    ErrorSpec("F.pad/too_long", lambda lib, x: F(lib).pad(x, (1, 1, 1, 1, 1, 1)),
              values=_rand((3, 4)),
              contains=("Padding length should be less than or equal to two times the input "
                        "dimension but got padding length 6 and input of dimension 2",)),
    ErrorSpec("F.pixel_shuffle/channels", lambda lib, x: F(lib).pixel_shuffle(x, 3),
              shapes=[(2, 8, 2, 3)],
              contains=("pixel_shuffle expects its input's 'channel' dimension to be divisible by "
                        "the square of upscale_factor, but input.size(-3)=8 is not divisible by 9",
                        )),
    ErrorSpec("F.pixel_shuffle/dims", lambda lib, x: F(lib).pixel_shuffle(x, 2), shapes=[(2, 3)],
              contains=("pixel_shuffle expects input to have at least 3 dimensions, but got input "
                        "with 2 dimension(s)",)),
    ErrorSpec("F.pixel_shuffle/factor", lambda lib, x: F(lib).pixel_shuffle(x, 0),
              shapes=[(2, 4, 2, 3)],
              contains=("pixel_shuffle expects a positive upscale_factor, but got 0",)),
    ErrorSpec("F.pixel_unshuffle/width", lambda lib, x: F(lib).pixel_unshuffle(x, 2),
              shapes=[(2, 8, 2, 3)],
              contains=("pixel_unshuffle expects width to be divisible by downscale_factor, but "
                        "input.size(-1)=3 is not divisible by 2",)),
    ErrorSpec("F.pixel_unshuffle/height", lambda lib, x: F(lib).pixel_unshuffle(x, 2),
              shapes=[(2, 8, 3, 2)],
              contains=("pixel_unshuffle expects height to be divisible by downscale_factor",)),
    ErrorSpec("F.bilinear/batch", lambda lib, a, b, w: F(lib).bilinear(a, b, w),
              shapes=[(4, 3), (3, 5), (2, 3, 5)],
              contains=("bilinear(): input batch dimensions do not match at dim 0: got 4 and 3",)),
    ErrorSpec("F.bilinear/input2", lambda lib, a, b, w: F(lib).bilinear(a, b, w),
              shapes=[(4, 3), (4, 5), (2, 3, 2)],
              contains=("bilinear(): input2 size does not match weight size: got 5 but expected "
                        "2",)),
    ErrorSpec("F.bilinear/bias", lambda lib, a, b, w, c: F(lib).bilinear(a, b, w, c),
              shapes=[(4, 3), (4, 5), (2, 3, 5), (1,)],
              contains=("bilinear(): bias size does not match weight size: got 1 but expected 2",
                        )),
    ErrorSpec("F.bilinear/dtype", lambda lib, a, b, w: F(lib).bilinear(a, b, w),
              shapes=[(4, 3), (4, 5), (2, 3, 5)], dtypes=("float32", "float64", "float32"),
              contains=("All tensors must have the same dtype, got input1: float, input2: double, "
                        "weight: float",)),
    ErrorSpec("F.sdpa/mask_and_causal",
              lambda lib, q, k, v, m: _SDPA(lib)(q, k, v, attn_mask=m, is_causal=True),
              shapes=[(2, 3, 4), (2, 5, 4), (2, 5, 6), (3, 5)],
              dtypes=("float32", "float32", "float32", "bool"),
              contains=("Explicit attn_mask should not be set when is_causal=True",)),
    ErrorSpec("F.sdpa/dtype", lambda lib, q, k, v: _SDPA(lib)(q, k, v),
              shapes=[(2, 3, 4), (2, 5, 4), (2, 5, 6)], dtypes=("float32", "float32", "float64"),
              contains=("Expected query, key, and value to have the same dtype, but got "
                        "query.dtype: float key.dtype: float and value.dtype: double instead.",)),
    ErrorSpec("F.sdpa/embed", lambda lib, q, k, v: _SDPA(lib)(q, k, v),
              shapes=[(2, 3, 4), (2, 5, 3), (2, 5, 6)],
              contains=("Expected size for first two dimensions of batch2 tensor to be: [2, 4] "
                        "but got: [2, 3].",)),
    ErrorSpec("F.sdpa/mask_dtype", lambda lib, q, k, v, m: _SDPA(lib)(q, k, v, attn_mask=m),
              shapes=[(2, 3, 4), (2, 5, 4), (2, 5, 6), (3, 5)],
              dtypes=("float32", "float32", "float32", "int64"),
              contains=("Expected attn_mask dtype to be bool or float or to match query dtype, "
                        "but got attn_mask.dtype: long int and  query.dtype: float instead.",)),
    ErrorSpec("F.sdpa/dims", lambda lib, q, k, v: _SDPA(lib)(q, k, v),
              shapes=[(4,), (5, 4), (5, 6)],
              contains=("Expected query, key, and value to all be  at least 2 dimensional",)),
    ErrorSpec("F.sdpa/dropout_p", lambda lib, q, k, v: _SDPA(lib)(q, k, v, dropout_p=1.5),
              shapes=[(2, 3, 4), (2, 5, 4), (2, 5, 6)],
              contains=("dropout probability has to be between 0 and 1, but got 1.5",)),
    ErrorSpec("F.embedding/weight_1d", lambda lib, i, w: F(lib).embedding(i, w),
              shapes=[(2,), (3,)], dtypes=("int64", "float32"), domain=(0, 2),
              contains=("'weight' must be 2-D",)),
]
