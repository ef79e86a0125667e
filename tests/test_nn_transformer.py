"""nn.TransformerEncoderLayer / DecoderLayer / Encoder / Decoder / Transformer against PyTorch:
shared weights (a torch state dict loaded here), forward values and gradients of every
parameter and input, printed form, parameter names, masks, errors and warnings."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import glasstorch as gt
from oracle import assert_same, needs_torch, torch

SMALL = {"d_model": 8, "nhead": 2, "dim_feedforward": 16, "dropout": 0.0}


def _build(lib, make):
    with warnings.catch_warnings():  # torch's nested-tensor notice, tested on its own below
        warnings.simplefilter("ignore")
        return make(lib)


def _pair(make, dtype):
    """A torch model and a glasstorch one built the same way, holding torch's weights."""
    theirs = _build(torch, make).to(getattr(torch, dtype))
    ours = _build(gt, make).to(getattr(gt, dtype))
    ours.load_state_dict({k: gt.tensor(v.detach().numpy().copy())
                          for k, v in theirs.state_dict().items()})
    return ours, theirs


def _padding(rng, n=3, s=5):
    m = rng.random((n, s)) > 0.6
    m[:, 0] = False
    return m


def _causal(L, n, dtype):
    return L.nn.Transformer.generate_square_subsequent_mask(n, dtype=getattr(L, dtype))


def _enc(**kw):
    return lambda L: L.nn.TransformerEncoderLayer(**{**SMALL, **kw})


def _dec(**kw):
    return lambda L: L.nn.TransformerDecoderLayer(**{**SMALL, **kw})


CASES = [
    # name, constructor, input shapes, forward kwargs: fn(lib, rng, dtype)
    ("encoder-layer", _enc(), [(5, 3, 8)], None),
    ("encoder-layer-norm-first-gelu", _enc(norm_first=True, activation="gelu"), [(5, 3, 8)],
     None),
    ("encoder-layer-gelu-module", lambda L: L.nn.TransformerEncoderLayer(
        8, 2, 16, 0.0, activation=L.nn.GELU()), [(5, 3, 8)], None),
    ("encoder-layer-tanh", lambda L: L.nn.TransformerEncoderLayer(8, 2, 16, 0.0,
                                                                  activation=L.tanh),
     [(5, 3, 8)], None),
    ("encoder-layer-batch-first-padding", _enc(batch_first=True), [(3, 5, 8)],
     lambda L, rng, dt: {"src_key_padding_mask": L.tensor(_padding(rng))}),
    ("encoder-layer-causal", _enc(), [(5, 3, 8)],
     lambda L, rng, dt: {"src_mask": _causal(L, 5, dt), "is_causal": True}),
    ("encoder-layer-no-bias", _enc(bias=False), [(5, 3, 8)], None),
    ("encoder-layer-unbatched", _enc(), [(5, 8)], None),
    ("decoder-layer", _dec(), [(4, 3, 8), (5, 3, 8)],
     lambda L, rng, dt: {"tgt_mask": _causal(L, 4, dt),
                         "memory_key_padding_mask": L.tensor(_padding(rng))}),
    ("decoder-layer-norm-first-batch-first", _dec(norm_first=True, batch_first=True),
     [(3, 4, 8), (3, 5, 8)], None),
    ("encoder", lambda L: L.nn.TransformerEncoder(L.nn.TransformerEncoderLayer(8, 2, 16, 0.0),
                                                  3, L.nn.LayerNorm(8)),
     [(5, 3, 8)], lambda L, rng, dt: {"mask": _causal(L, 5, dt).bool().logical_not(),
                                      "src_key_padding_mask": L.tensor(_padding(rng))}),
    ("encoder-detects-causal-mask", lambda L: L.nn.TransformerEncoder(
        L.nn.TransformerEncoderLayer(8, 2, 16, 0.0, batch_first=True), 2),
     [(3, 5, 8)], lambda L, rng, dt: {"mask": _causal(L, 5, dt)}),
    ("decoder", lambda L: L.nn.TransformerDecoder(L.nn.TransformerDecoderLayer(8, 2, 16, 0.0),
                                                  2, L.nn.LayerNorm(8)),
     [(4, 3, 8), (5, 3, 8)], lambda L, rng, dt: {"tgt_mask": _causal(L, 4, dt)}),
    ("transformer", lambda L: L.nn.Transformer(8, 2, 2, 2, 16, 0.0), [(5, 3, 8), (4, 3, 8)],
     lambda L, rng, dt: {"tgt_mask": _causal(L, 4, dt),
                         "src_key_padding_mask": L.tensor(_padding(rng)),
                         "memory_key_padding_mask": L.tensor(_padding(rng))}),
    ("transformer-batch-first-norm-first", lambda L: L.nn.Transformer(
        8, 2, 1, 1, 16, 0.0, batch_first=True, norm_first=True), [(3, 5, 8), (3, 4, 8)],
     lambda L, rng, dt: {"tgt_mask": _causal(L, 4, dt), "tgt_is_causal": True}),
    ("transformer-unbatched", lambda L: L.nn.Transformer(8, 2, 1, 1, 16, 0.0),
     [(5, 8), (4, 8)], None),
]


@needs_torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,make,shapes,fkw", CASES, ids=[c[0] for c in CASES])
def test_forward_and_gradients_match_torch(name, make, shapes, fkw, dtype):
    rng = np.random.default_rng(0)
    ours, theirs = _pair(make, dtype)
    assert repr(ours) == repr(theirs)
    ours.eval()
    theirs.eval()
    arrays = [rng.standard_normal(s).astype(dtype) for s in shapes]
    inputs = [gt.tensor(a, requires_grad=True) for a in arrays]
    t_inputs = [torch.tensor(a, requires_grad=True) for a in arrays]
    kw = fkw(gt, np.random.default_rng(1), dtype) if fkw else {}
    t_kw = fkw(torch, np.random.default_rng(1), dtype) if fkw else {}
    out, t_out = ours(*inputs, **kw), theirs(*t_inputs, **t_kw)
    assert_same(out, t_out)
    probe = rng.standard_normal(tuple(t_out.shape)).astype(dtype)
    (out * gt.tensor(probe)).sum().backward()
    (t_out * torch.tensor(probe)).sum().backward()
    for (n, p), (tn, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert n == tn
        assert_same(p.grad, tp.grad, msg=n)
    for x, tx in zip(inputs, t_inputs):
        assert_same(x.grad, tx.grad)


@needs_torch
def test_parameter_names_shapes_and_state_dict_match_torch():
    for make in [lambda L: L.nn.Transformer(8, 2, 2, 1, 16),
                 lambda L: L.nn.TransformerEncoderLayer(8, 2, 16, bias=False, norm_first=True)]:
        ours, theirs = _build(gt, make), _build(torch, make)
        assert [(n, tuple(p.shape)) for n, p in ours.named_parameters()] == [
            (n, tuple(p.shape)) for n, p in theirs.named_parameters()]
        assert list(ours.state_dict()) == list(theirs.state_dict())
        assert repr(ours) == repr(theirs)


def test_stack_layers_are_independent_deep_copies():
    layer = gt.nn.TransformerEncoderLayer(8, 2, 16)
    encoder = gt.nn.TransformerEncoder(layer, 3, enable_nested_tensor=False)
    weights = [m.linear1.weight for m in encoder.layers]
    assert len({id(w) for w in weights}) == 3 and all(w is not layer.linear1.weight
                                                      for w in weights)
    with gt.no_grad():
        encoder.layers[0].linear1.weight.zero_()
    assert encoder.layers[1].linear1.weight.abs().sum() > 0
    assert len(list(encoder.parameters())) == 3 * len(list(layer.parameters()))


def test_transformer_initialises_matrices_xavier_uniform():
    gt.manual_seed(0)
    model = _build(gt, lambda L: L.nn.Transformer(16, 4, 1, 1, 32))
    w = model.encoder.layers[0].linear1.weight  # (32, 16): bound sqrt(6 / 48)
    assert float(w.detach().abs().max()) <= (6 / 48) ** 0.5
    assert not model.encoder.layers[0].self_attn.in_proj_bias.detach().any()
    assert gt.equal(model.encoder.norm.weight.detach(), gt.ones(16))


@needs_torch
@pytest.mark.parametrize("size", [0, 1, 4])
def test_generate_square_subsequent_mask_matches_torch(size):
    assert_same(gt.nn.Transformer.generate_square_subsequent_mask(size),
                torch.nn.Transformer.generate_square_subsequent_mask(size))
    assert_same(gt.nn.Transformer.generate_square_subsequent_mask(size, dtype=gt.float64),
                torch.nn.Transformer.generate_square_subsequent_mask(size, dtype=torch.float64))


@needs_torch
@pytest.mark.parametrize("src,tgt", [((5, 3, 8), (4, 2, 8)), ((5, 3, 8), (4, 3, 6))])
def test_transformer_errors_match_torch(src, tgt):
    make = lambda L: L.nn.Transformer(8, 2, 1, 1, 16, 0.0)  # noqa: E731
    ours, theirs = _build(gt, make), _build(torch, make)
    with pytest.raises(RuntimeError) as t_err:
        theirs(torch.zeros(src), torch.zeros(tgt))
    with pytest.raises(RuntimeError, match=str(t_err.value)):
        ours(gt.zeros(src), gt.zeros(tgt))


@needs_torch
def test_activation_name_error_matches_torch():
    with pytest.raises(RuntimeError) as t_err:
        torch.nn.TransformerEncoderLayer(8, 2, activation="tanh")
    with pytest.raises(RuntimeError, match=str(t_err.value)):
        gt.nn.TransformerEncoderLayer(8, 2, activation="tanh")


@needs_torch
@pytest.mark.parametrize("kw", [{}, {"batch_first": True}, {"batch_first": True, "nhead": 1},
                                {"batch_first": True, "norm_first": True}])
def test_nested_tensor_notice_matches_torch(kw):
    def warnings_of(L):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            L.nn.TransformerEncoder(L.nn.TransformerEncoderLayer(**{"d_model": 8, "nhead": 2,
                                                                     **kw}), 2)
        return [str(w.message) for w in caught]

    assert warnings_of(gt) == warnings_of(torch)


def test_dropout_only_while_training():
    gt.manual_seed(0)
    layer = gt.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.5)
    x = gt.randn(5, 3, 8)
    layer.eval()
    assert gt.equal(layer(x), layer(x))
    layer.train()
    assert not gt.equal(layer(x), layer(x))


def test_encoder_layer_gradcheck_float64():
    gt.manual_seed(0)
    layer = gt.nn.TransformerEncoderLayer(4, 2, 6, dropout=0.0, norm_first=True).double()
    slots = [(m, n) for m in layer.modules() for n, p in m._parameters.items() if p is not None]
    x = gt.randn(3, 2, 4, dtype=gt.float64, requires_grad=True)
    mask = gt.tensor([[False, False, True], [False, False, False]])

    def f(x, *weights):
        for (module, name), w in zip(slots, weights):
            module._parameters[name] = w  # the layer computes with the tensors gradcheck varies
        return layer(x, src_key_padding_mask=mask)

    weights = tuple(m._parameters[n].detach().clone().requires_grad_() for m, n in slots)
    assert gt.autograd.gradcheck(f, (x, *weights))
