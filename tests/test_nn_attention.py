"""Attention and its building blocks against PyTorch: ``meshgrid``'s warning, ``repeat_interleave``
as attention code uses it, ``scaled_dot_product_attention``, ``F.multi_head_attention_forward`` and
``nn.MultiheadAttention`` (shared weights, forward and gradients, errors)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import glasstorch as gt
from glasstorch.ops import shape as shape_ops
from oracle import assert_same, needs_torch, torch


# ---- building blocks ------------------------------------------------------------------------
def test_meshgrid_without_indexing_warns_once_and_uses_ij(monkeypatch):
    monkeypatch.setattr(shape_ops, "_meshgrid_warned", False)
    x, y = gt.arange(3), gt.arange(2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        X, Y = gt.meshgrid(x, y)
        gt.meshgrid(x, y)
    messages = [str(w.message) for w in caught]
    assert messages == ["torch.meshgrid: in an upcoming release, it will be required to pass the "
                        "indexing argument."]
    assert tuple(X.shape) == (3, 2) and X[:, 0].tolist() == [0, 1, 2] and Y[0].tolist() == [0, 1]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gt.meshgrid(x, y, indexing="ij")  # an explicit indexing never warns


def test_meshgrid_outputs_are_views_of_the_inputs():
    x = gt.arange(3.0)
    X, _ = gt.meshgrid(x, gt.arange(2.0), indexing="xy")
    assert X._base is x and tuple(X.shape) == (2, 3) and X.stride() == (0, 1)


@needs_torch
def test_repeat_interleave_grad_fn_names_match_torch():
    x = gt.ones(2, 3, requires_grad=True)
    tx = torch.ones(2, 3, requires_grad=True)
    assert x.repeat_interleave(2, 1).grad_fn.name() == tx.repeat_interleave(2, 1).grad_fn.name()
    reps, treps = gt.tensor([1, 2]), torch.tensor([1, 2])
    assert (x.repeat_interleave(reps, 0).grad_fn.name()
            == tx.repeat_interleave(treps, 0).grad_fn.name())
    assert_same(gt.repeat_interleave(gt.tensor([3, 0, 1], dtype=gt.int32)),
                torch.repeat_interleave(torch.tensor([3, 0, 1], dtype=torch.int32)))


@needs_torch
def test_valid_lens_repeated_per_head_as_d2l_does():
    """d2l's MultiHeadAttention repeats each example's valid length once per head."""
    valid = np.array([3, 2])
    ours = gt.repeat_interleave(gt.tensor(valid), repeats=4, dim=0)
    assert_same(ours, torch.repeat_interleave(torch.tensor(valid), repeats=4, dim=0))


# ---- scaled_dot_product_attention -----------------------------------------------------------
def _pair(arr, grad=True):
    """The same values as a glasstorch and a torch tensor (float inputs requiring grad)."""
    ours, theirs = gt.tensor(arr), torch.tensor(arr)
    if grad and arr.dtype.kind == "f":
        ours.requires_grad_()
        theirs.requires_grad_()
    return ours, theirs


def _blocked_bool(rng, shape):
    m = rng.random(shape) > 0.5
    m[..., 1, :] = False  # one query that may see no key at all
    return m


def _neg_inf_float(rng, shape):
    m = rng.standard_normal(shape)
    m[..., 0, :2] = -np.inf
    m[..., 2, :] = -np.inf  # a query whose every score is -inf
    return m


SDPA_CASES = [
    ("plain", [(2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7)], {}, None),
    ("scale", [(2, 4, 5), (2, 6, 5), (2, 6, 7)], {"scale": 0.3}, None),
    ("causal", [(2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7)], {"is_causal": True}, None),
    ("causal-more-queries", [(2, 6, 5), (2, 4, 5), (2, 4, 3)], {"is_causal": True}, None),
    ("bool-mask", [(2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7)], {}, _blocked_bool),
    ("float-mask", [(2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7)], {}, _neg_inf_float),
    ("broadcast", [(2, 3, 4, 5), (1, 3, 6, 5), (3, 6, 7)], {}, None),
    ("2d", [(4, 5), (6, 5), (6, 7)], {}, None),
    ("gqa", [(2, 4, 3, 5), (2, 2, 6, 5), (2, 2, 6, 7)], {"enable_gqa": True}, None),
    ("empty-keys", [(2, 4, 5), (2, 0, 5), (2, 0, 7)], {}, None),
]


@needs_torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,shapes,kw,mask", SDPA_CASES, ids=[c[0] for c in SDPA_CASES])
def test_scaled_dot_product_attention_matches_torch(name, shapes, kw, mask, dtype):
    rng = np.random.default_rng(0)
    pairs = [_pair(rng.standard_normal(s).astype(dtype)) for s in shapes]
    kw_ours, kw_theirs = dict(kw), dict(kw)
    if mask is not None:
        m = mask(rng, (4, 6))
        m = m if m.dtype == np.bool_ else m.astype(dtype)
        kw_ours["attn_mask"], kw_theirs["attn_mask"] = _pair(m, grad=False)
    ours = gt.nn.functional.scaled_dot_product_attention(*[p[0] for p in pairs], **kw_ours)
    theirs = torch.nn.functional.scaled_dot_product_attention(*[p[1] for p in pairs],
                                                              **kw_theirs)
    assert_same(ours, theirs)
    weights = rng.standard_normal(tuple(theirs.shape)).astype(dtype)
    (ours * gt.tensor(weights)).sum().backward()
    (theirs * torch.tensor(weights)).sum().backward()
    for o, t in pairs:
        assert_same(o.grad, t.grad)


@needs_torch
def test_scaled_dot_product_attention_dropout_zeroes_weights_and_rescales(torch):
    gt.manual_seed(0)
    q = gt.randn(1, 200, 4)
    v = gt.eye(200).unsqueeze(0)  # the output rows are the attention weights themselves
    weights = gt.nn.functional.scaled_dot_product_attention(q, q, v, dropout_p=0.25)
    kept = weights._data != 0
    assert 0.70 < kept.mean() < 0.80
    plain = gt.nn.functional.scaled_dot_product_attention(q, q, v)
    np.testing.assert_allclose(weights._data[kept], plain._data[kept] / 0.75, rtol=1e-5)
    assert gt.nn.functional.scaled_dot_product_attention(q, q, v, dropout_p=1.0).abs().sum() == 0


def test_scaled_dot_product_attention_gradcheck_float64():
    rng = np.random.default_rng(1)
    q, k, v = (gt.tensor(rng.standard_normal(s), requires_grad=True)
               for s in [(2, 3, 4), (2, 5, 4), (2, 5, 3)])
    mask = gt.tensor(rng.random((3, 5)) > 0.3)

    def f(q, k, v):
        return gt.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask, scale=0.7)

    assert gt.autograd.gradcheck(f, (q, k, v))
    assert gt.autograd.gradgradcheck(f, (q, k, v))


# ---- nn.MultiheadAttention ------------------------------------------------------------------
def _mha_pair(dtype="float64", **kw):
    """A torch MultiheadAttention and a glasstorch one holding the same weights."""
    theirs = torch.nn.MultiheadAttention(**kw).to(getattr(torch, dtype))
    ours = gt.nn.MultiheadAttention(**kw).to(getattr(gt, dtype))
    ours.load_state_dict({k: gt.tensor(v.detach().numpy().copy())
                          for k, v in theirs.state_dict().items()})
    return ours, theirs


def _kpm(rng):
    m = rng.random((3, 4)) > 0.6
    m[:, 0] = False
    return m


def _attn_bool(rng):
    m = rng.random((5, 4)) > 0.7
    m[:, 1] = False
    return m


def _causal(rng):
    return np.triu(np.full((5, 5), -np.inf), 1)


E8H2 = {"embed_dim": 8, "num_heads": 2}
CROSS = [(5, 3, 8), (4, 3, 8), (4, 3, 8)]
MHA_CASES = [
    # name, constructor kwargs, input shapes (one shape = self-attention), forward kwargs
    ("self", E8H2, [(5, 3, 8)], {}),
    ("cross-per-head", {"embed_dim": 8, "num_heads": 4}, CROSS, {"average_attn_weights": False}),
    ("kdim-vdim", {**E8H2, "kdim": 6, "vdim": 5}, [(5, 3, 8), (4, 3, 6), (4, 3, 5)], {}),
    ("no-bias", {**E8H2, "bias": False}, [(5, 3, 8)], {}),
    ("bias-kv-zero-attn", {**E8H2, "add_bias_kv": True, "add_zero_attn": True}, CROSS, {}),
    ("key-padding-bool", E8H2, CROSS, {"key_padding_mask": _kpm}),
    ("key-padding-float", E8H2, CROSS,
     {"key_padding_mask": lambda rng: np.where(_kpm(rng), -1e9, 0.25)}),
    ("attn-mask-bool", E8H2, CROSS, {"attn_mask": _attn_bool}),
    ("both-masks-bias-kv", {**E8H2, "add_bias_kv": True, "add_zero_attn": True}, CROSS,
     {"attn_mask": _attn_bool, "key_padding_mask": _kpm}),
    ("attn-mask-3d", E8H2, CROSS, {"attn_mask": lambda rng: rng.standard_normal((6, 5, 4))}),
    ("causal", E8H2, [(5, 3, 8)], {"attn_mask": _causal, "is_causal": True}),
    ("batch-first", {**E8H2, "batch_first": True}, [(3, 5, 8), (3, 4, 8), (3, 4, 8)],
     {"key_padding_mask": _kpm}),
    ("batch-first-self", {**E8H2, "batch_first": True}, [(3, 5, 8)], {}),
    ("unbatched", E8H2, [(5, 8), (4, 8), (4, 8)], {"key_padding_mask": lambda rng: _kpm(rng)[0]}),
    ("unbatched-3d-mask", E8H2, [(5, 8), (4, 8), (4, 8)],
     {"attn_mask": lambda rng: rng.standard_normal((2, 5, 4)), "average_attn_weights": False}),
]


@needs_torch
@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,ctor,shapes,fkw", MHA_CASES, ids=[c[0] for c in MHA_CASES])
def test_multihead_attention_matches_torch(name, ctor, shapes, fkw, dtype, need_weights):
    rng = np.random.default_rng(0)
    ours, theirs = _mha_pair(dtype, **ctor)
    ours.eval()
    theirs.eval()
    pairs = [_pair(rng.standard_normal(s).astype(dtype)) for s in shapes]
    inputs = [p for p in pairs] * 3 if len(pairs) == 1 else pairs
    kw_ours, kw_theirs = {"need_weights": need_weights}, {"need_weights": need_weights}
    for key, value in fkw.items():
        if callable(value):
            arr = value(rng)
            arr = arr if arr.dtype == np.bool_ else arr.astype(dtype)
            kw_ours[key], kw_theirs[key] = _pair(arr, grad=False)
        else:
            kw_ours[key] = kw_theirs[key] = value
    out, w = ours(*[p[0] for p in inputs], **kw_ours)
    t_out, t_w = theirs(*[p[1] for p in inputs], **kw_theirs)
    assert_same(out, t_out)
    if need_weights:
        assert_same(w, t_w)
    else:
        assert w is None and t_w is None
    probe = rng.standard_normal(tuple(t_out.shape)).astype(dtype)
    loss = (out * gt.tensor(probe)).sum() + (w.sum() if need_weights else 0)
    t_loss = (t_out * torch.tensor(probe)).sum() + (t_w.sum() if need_weights else 0)
    loss.backward()
    t_loss.backward()
    for (n, p), (tn, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert n == tn
        assert_same(p.grad, tp.grad, msg=n)
    for o, t in pairs:
        assert_same(o.grad, t.grad)


@needs_torch
def test_multihead_attention_layout_and_printed_form_match_torch():
    for kw in [E8H2, {**E8H2, "kdim": 3, "bias": False, "add_bias_kv": True}]:
        ours, theirs = gt.nn.MultiheadAttention(**kw), torch.nn.MultiheadAttention(**kw)
        assert repr(ours) == repr(theirs)
        assert [(n, tuple(p.shape)) for n, p in ours.named_parameters()] == [
            (n, tuple(p.shape)) for n, p in theirs.named_parameters()]
        assert list(ours.state_dict()) == list(theirs.state_dict())


def test_multihead_attention_initialisation():
    gt.manual_seed(0)
    m = gt.nn.MultiheadAttention(16, 4, add_bias_kv=True)
    bound = (6 / (16 + 48)) ** 0.5  # xavier_uniform_ on (3E, E)
    assert float(m.in_proj_weight.detach().abs().max()) <= bound
    assert not m.in_proj_bias.detach().any() and not m.out_proj.bias.detach().any()
    assert tuple(m.bias_k.shape) == (1, 1, 16) and m.bias_k.std() > 0


@needs_torch
def test_multihead_attention_dropout_only_while_training():
    ours, _ = _mha_pair(embed_dim=8, num_heads=2, dropout=0.5)
    x = gt.randn(5, 3, 8, dtype=gt.float64)
    ours.eval()
    first, _ = ours(x, x, x)
    again, _ = ours(x, x, x)
    assert gt.equal(first, again)
    ours.train()
    gt.manual_seed(1)
    _, weights = ours(x, x, x, average_attn_weights=False)
    assert (weights._data == 0).any()


def test_multi_head_attention_forward_gradcheck_float64():
    rng = np.random.default_rng(2)
    shapes = [(4, 2, 6), (3, 2, 6), (3, 2, 6), (18, 6), (18,), (6, 6), (6,), (1, 1, 6), (1, 1, 6)]
    tensors = [gt.tensor(rng.standard_normal(s), requires_grad=True) for s in shapes]
    kpm = gt.tensor(np.array([[False, False, True], [False, True, False]]))

    def f(q, k, v, w_in, b_in, w_out, b_out, bias_k, bias_v):
        out, weights = gt.nn.functional.multi_head_attention_forward(
            q, k, v, 6, 3, w_in, b_in, bias_k, bias_v, True, 0.0, w_out, b_out,
            key_padding_mask=kpm, average_attn_weights=False)
        return out.sum() + (weights * weights).sum()

    assert gt.autograd.gradcheck(f, tuple(tensors))


MHA_ERRORS = [
    # constructor kwargs, input shapes, forward kwargs (callables of the library)
    (E8H2, [(1, 5, 3, 8)], {}),
    (E8H2, [(5, 3, 8), (4, 8), (4, 8)], {}),
    (E8H2, [(5, 3, 8)], {"key_padding_mask": lambda L: L.zeros(1, 3, 5, dtype=L.bool)}),
    (E8H2, [(5, 3, 8)], {"attn_mask": lambda L: L.zeros(1, 1, 5, 5, dtype=L.bool)}),
    (E8H2, [(5, 3, 8)], {"attn_mask": lambda L: L.zeros(5, 4, dtype=L.bool)}),
    (E8H2, [(5, 3, 8)], {"attn_mask": lambda L: L.zeros(3, 5, 5, dtype=L.bool)}),
    (E8H2, [(5, 8)], {"attn_mask": lambda L: L.zeros(3, 5, 5, dtype=L.bool)}),
    (E8H2, [(5, 8)], {"key_padding_mask": lambda L: L.zeros(1, 5, dtype=L.bool)}),
    (E8H2, [(5, 3, 8)], {"key_padding_mask": lambda L: L.zeros(3, 4, dtype=L.bool)}),
    (E8H2, [(5, 3, 8)], {"key_padding_mask": lambda L: L.zeros(3, 5, dtype=L.int64)}),
    (E8H2, [(5, 3, 8)], {"attn_mask": lambda L: L.zeros(5, 5, dtype=L.int64)}),
    (E8H2, [(5, 3, 8)], {"is_causal": True}),
    (E8H2, [(5, 3, 8)], {"key_padding_mask": lambda L: L.zeros(3, 5, dtype=L.float32)}),
    (E8H2, [(5, 3, 6)], {}),
    (E8H2, [(5, 3, 8), (4, 3, 8), (3, 3, 8)], {}),
    ({**E8H2, "kdim": 6, "vdim": 5}, [(5, 3, 8), (4, 3, 6), (3, 3, 5)], {}),
    ({**E8H2, "kdim": 6, "vdim": 5}, [(5, 3, 8), (4, 3, 7), (4, 3, 5)], {}),
]


@needs_torch
@pytest.mark.parametrize("ctor,shapes,fkw", MHA_ERRORS)
def test_multihead_attention_errors_match_torch(ctor, shapes, fkw):
    ours, theirs = _mha_pair(**ctor)
    rng = np.random.default_rng(0)
    arrs = [rng.standard_normal(s) for s in shapes]
    arrs = arrs * 3 if len(arrs) == 1 else arrs
    with pytest.raises(Exception) as t_err:
        theirs(*[torch.tensor(a) for a in arrs], **{k: f(torch) for k, f in fkw.items()})
    with pytest.raises(type(t_err.value)) as o_err:
        ours(*[gt.tensor(a) for a in arrs], **{k: f(gt) for k, f in fkw.items()})
    assert str(o_err.value) == str(t_err.value)


@needs_torch
@pytest.mark.parametrize("args", [(8, 3), (0, 2), (8, -1)])
def test_multihead_attention_constructor_errors_match_torch(args):
    with pytest.raises(Exception) as t_err:
        torch.nn.MultiheadAttention(*args)
    with pytest.raises(type(t_err.value), match=str(t_err.value)):
        gt.nn.MultiheadAttention(*args)


def test_multihead_attention_warns_on_mismatched_mask_types():
    m = gt.nn.MultiheadAttention(8, 2)
    x = gt.randn(5, 3, 8)
    with pytest.warns(UserWarning, match="Support for mismatched key_padding_mask and attn_mask"):
        m(x, x, x, attn_mask=gt.zeros(5, 5), key_padding_mask=gt.zeros(3, 5, dtype=gt.bool))


def test_multihead_attention_where_torch_keeps_it_and_with_a_dtype():
    from glasstorch.nn.modules.activation import MultiheadAttention

    assert MultiheadAttention is gt.nn.MultiheadAttention
    m = MultiheadAttention(8, 2, kdim=4, add_bias_kv=True, dtype=gt.float64)
    assert {p.dtype for p in m.parameters()} == {gt.float64}
    out, weights = m(gt.zeros(3, 8, dtype=gt.float64), gt.zeros(5, 4, dtype=gt.float64),
                     gt.zeros(5, 8, dtype=gt.float64))
    assert tuple(out.shape) == (3, 8) and tuple(weights.shape) == (3, 6)  # 5 keys + bias_k
