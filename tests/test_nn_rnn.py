"""Recurrent layers (``nn.RNN``, ``nn.GRU``, ``nn.LSTM``, the cells) and ``nn.utils.rnn``
against PyTorch: the same weights (loaded from torch's state dict) give the same outputs, final
states and gradients for every mode and flag; plus float64 gradchecks of the fused backward,
second derivatives, packed sequences, the printed form, the errors, and a 1000-step sequence."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

import glasstorch as gt
from oracle import needs_torch, raised, torch

I, H = 4, 6


def _pair(cls: str, dtype: str = "float64", **kw):
    """The same layer in both libraries: torch's initial weights loaded into ours."""
    theirs = getattr(torch.nn, cls)(I, H, **kw).to(getattr(torch, dtype))
    ours = getattr(gt.nn, cls)(I, H, **kw).to(getattr(gt, dtype))
    ours.load_state_dict({k: gt.tensor(v.detach().numpy()) for k, v in
                          theirs.state_dict().items()})
    return ours, theirs


def _states(cls, kw, batch, rng, dtype, batched=True):
    D = 2 if kw.get("bidirectional") else 1
    L = kw.get("num_layers", 1)
    P = kw.get("proj_size", 0) or H
    lead = (D * L, batch) if batched else (D * L,)
    states = [rng.standard_normal((*lead, P)).astype(dtype)]
    if cls == "LSTM":
        states.append(rng.standard_normal((*lead, H)).astype(dtype))
    return states


def _run_both(ours, theirs, cls, x, states, make_input=None):
    """Forward both, backward random output gradients; return (ours, theirs), each a list
    of arrays: outputs, then the gradients of the input, the states and every parameter."""
    results = []
    for lib, m in ((gt, ours), (torch, theirs)):
        xt = lib.tensor(x, requires_grad=True)
        st = [lib.tensor(s, requires_grad=True) for s in states]
        hx = (tuple(st) if cls == "LSTM" else st[0]) if st else None
        inp = make_input(lib, xt) if make_input else xt
        out, hn = m(inp, hx)
        if make_input:
            out = lib.nn.utils.rnn.pad_packed_sequence(out)[0]
        outs = [out] + (list(hn) if isinstance(hn, tuple) else [hn])
        rng = np.random.default_rng(1)
        loss = sum((o * lib.tensor(rng.standard_normal(tuple(o.shape)).astype(x.dtype))).sum()
                   for o in outs)
        loss.backward()
        results.append([o.detach().numpy() for o in outs] + [xt.grad.numpy()]
                       + [s.grad.numpy() for s in st] + [p.grad.numpy() for p in m.parameters()])
    return results


def _assert_all_close(ours, theirs, tol):
    assert len(ours) == len(theirs)
    for k, (a, b) in enumerate(zip(ours, theirs)):
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol, err_msg=f"array {k}")


_FLAGS = list(itertools.product([1, 2], [False, True], [False, True], [True, False]))


@needs_torch
@pytest.mark.parametrize("cls", ["RNN", "GRU", "LSTM"])
@pytest.mark.parametrize("layers,bidirectional,batch_first,bias", _FLAGS)
def test_forward_and_gradients_match_torch(cls, layers, bidirectional, batch_first, bias):
    kw = dict(num_layers=layers, bidirectional=bidirectional, batch_first=batch_first, bias=bias)
    ours, theirs = _pair(cls, **kw)
    rng = np.random.default_rng(0)
    T, B = 5, 3
    x = rng.standard_normal((B, T, I) if batch_first else (T, B, I))
    res = _run_both(ours, theirs, cls, x, _states(cls, kw, B, rng, "float64"))
    _assert_all_close(*res, 1e-9)


@needs_torch
@pytest.mark.parametrize("cls,kw", [
    ("RNN", dict(nonlinearity="relu", num_layers=2, bidirectional=True)),
    ("LSTM", dict(proj_size=3)),
    ("LSTM", dict(proj_size=3, num_layers=2, bidirectional=True, batch_first=True)),
])
def test_relu_and_projection_match_torch(cls, kw):
    ours, theirs = _pair(cls, **kw)
    rng = np.random.default_rng(0)
    shape = (3, 5, I) if kw.get("batch_first") else (5, 3, I)
    res = _run_both(ours, theirs, cls, rng.standard_normal(shape),
                    _states(cls, kw, 3, rng, "float64"))
    _assert_all_close(*res, 1e-9)


@needs_torch
@pytest.mark.parametrize("cls", ["RNN", "GRU", "LSTM"])
@pytest.mark.parametrize("with_state", [True, False])
def test_unbatched_input(cls, with_state):
    kw = dict(num_layers=2, proj_size=2) if cls == "LSTM" else dict(num_layers=2)
    ours, theirs = _pair(cls, **kw)
    rng = np.random.default_rng(0)
    states = _states(cls, kw, 1, rng, "float64", batched=False) if with_state else []
    res = _run_both(ours, theirs, cls, rng.standard_normal((5, I)), states)
    _assert_all_close(*res, 1e-9)
    assert tuple(ours(gt.zeros(5, I, dtype=gt.float64))[0].shape) == (5, 2 if cls == "LSTM" else H)


@needs_torch
@pytest.mark.parametrize("cls", ["RNN", "GRU", "LSTM"])
def test_float32_default_state(cls):
    ours, theirs = _pair(cls, "float32", num_layers=2, bidirectional=True)
    x = np.random.default_rng(0).standard_normal((7, 3, I)).astype("float32")
    res = _run_both(ours, theirs, cls, x, [])
    _assert_all_close(*res, 2e-5)  # float32: 7 steps and 2 layers of rounding differences
    assert ours(gt.tensor(x))[0].dtype == gt.float32


@needs_torch
@pytest.mark.parametrize("cls", ["RNN", "GRU", "LSTM"])
@pytest.mark.parametrize("kw", [dict(), dict(num_layers=2, bidirectional=True)])
@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_packed_sequences_match_torch(cls, kw, enforce_sorted):
    lengths = [5, 3, 3, 1] if enforce_sorted else [3, 5, 1, 3]
    ours, theirs = _pair(cls, **kw)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 4, I))

    def pack(lib, xt):
        return lib.nn.utils.rnn.pack_padded_sequence(xt, lengths, enforce_sorted=enforce_sorted)

    res = _run_both(ours, theirs, cls, x, _states(cls, kw, 4, rng, "float64"), pack)
    _assert_all_close(*res, 1e-9)


@needs_torch
def test_packed_output_fields_and_projection():
    ours, theirs = _pair("LSTM", proj_size=2, bidirectional=True, batch_first=True)
    x = np.random.default_rng(0).standard_normal((3, 4, I))
    outs = []
    for lib, m in ((gt, ours), (torch, theirs)):
        U = lib.nn.utils.rnn
        packed = U.pack_padded_sequence(lib.tensor(x), lib.tensor([2, 4, 1]), batch_first=True,
                                        enforce_sorted=False)
        out, (h, c) = m(packed)
        assert isinstance(out, U.PackedSequence)
        padded, lengths = U.pad_packed_sequence(out, batch_first=True, total_length=6,
                                                padding_value=-1.0)
        outs.append([out.data, out.batch_sizes, out.sorted_indices, out.unsorted_indices,
                     padded, lengths, h, c])
    for a, b in zip(*outs):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-9, atol=1e-9)


@needs_torch
def test_padding_and_packing_utilities_match_torch():
    def seqs(lib):
        return [lib.tensor([[1.0, 2.0], [3.0, 4.0]]), lib.tensor([[5.0, 6.0]]),
                lib.tensor([[7.0, 8.0], [9.0, 1.0], [2.0, 3.0]])]

    for fn in [
        lambda lib: lib.nn.utils.rnn.pad_sequence(seqs(lib)),
        lambda lib: lib.nn.utils.rnn.pad_sequence(seqs(lib), batch_first=True, padding_value=-2),
        lambda lib: lib.nn.utils.rnn.pad_sequence(seqs(lib), padding_side="left"),
        lambda lib: lib.nn.utils.rnn.pack_sequence(seqs(lib), enforce_sorted=False),
        lambda lib: lib.nn.utils.rnn.unpack_sequence(
            lib.nn.utils.rnn.pack_sequence(seqs(lib), enforce_sorted=False)),
        lambda lib: lib.nn.utils.rnn.unpad_sequence(
            lib.nn.utils.rnn.pad_sequence(seqs(lib)), lib.tensor([2, 1, 3])),
    ]:
        a, b = fn(gt), fn(torch)
        assert repr(a) == repr(b)


@needs_torch
def test_packing_is_differentiable():
    x = np.random.default_rng(0).standard_normal((4, 3, 2))
    grads = []
    for lib in (gt, torch):
        U = lib.nn.utils.rnn
        xt = lib.tensor(x, requires_grad=True)
        packed = U.pack_padded_sequence(xt, [2, 4, 3], enforce_sorted=False)
        padded, _ = U.pad_packed_sequence(packed)
        ((padded * lib.arange(24.0, dtype=lib.float64).reshape(4, 3, 2)).sum()
         + packed.data.sum()).backward()
        grads.append(xt.grad.numpy())
    np.testing.assert_allclose(*grads)


@needs_torch
@pytest.mark.parametrize("cls", ["RNNCell", "GRUCell", "LSTMCell"])
@pytest.mark.parametrize("batched", [True, False])
def test_cells_match_torch(cls, batched):
    ours, theirs = _pair(cls)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, I) if batched else (I,))
    states = [rng.standard_normal((3, H) if batched else (H,)) for _ in
              range(2 if cls == "LSTMCell" else 1)]
    results = []
    for lib, m in ((gt, ours), (torch, theirs)):
        xt = lib.tensor(x, requires_grad=True)
        st = [lib.tensor(s, requires_grad=True) for s in states]
        out = m(xt, tuple(st) if cls == "LSTMCell" else st[0])
        outs = list(out) if isinstance(out, tuple) else [out]
        sum((o * (k + 2)).sin().sum() for k, o in enumerate(outs)).backward()
        no_state = m(xt)
        results.append([o.detach().numpy() for o in outs] + [xt.grad.numpy()]
                       + [s.grad.numpy() for s in st] + [p.grad.numpy() for p in m.parameters()]
                       + [o.detach().numpy() for o in (no_state if isinstance(no_state, tuple)
                                                       else [no_state])])
    _assert_all_close(*results, 1e-10)


@needs_torch
def test_relu_cell_and_cells_without_bias():
    for cls, kw in [("RNNCell", dict(nonlinearity="relu")), ("GRUCell", dict(bias=False)),
                    ("LSTMCell", dict(bias=False))]:
        ours, theirs = _pair(cls, **kw)
        x = np.random.default_rng(0).standard_normal((2, I))
        a, b = ours(gt.tensor(x)), theirs(torch.tensor(x))
        for u, v in zip(a if isinstance(a, tuple) else [a], b if isinstance(b, tuple) else [b]):
            np.testing.assert_allclose(u.detach().numpy(), v.detach().numpy(), rtol=1e-10)


@needs_torch
@pytest.mark.parametrize("cls,kw", [
    ("RNN", dict()), ("GRU", dict(num_layers=2, bidirectional=True)),
    ("LSTM", dict(proj_size=3, num_layers=2)),
])
def test_second_derivatives_match_torch(cls, kw):
    ours, theirs = _pair(cls, **kw)
    x = np.random.default_rng(0).standard_normal((4, 2, I))
    results = []
    for lib, m in ((gt, ours), (torch, theirs)):
        xt = lib.tensor(x, requires_grad=True)
        out = m(xt)[0]
        (g,) = lib.autograd.grad((out ** 2).sum(), xt, create_graph=True)
        (g ** 2).sum().backward()
        results.append([g.detach().numpy(), xt.grad.numpy()]
                       + [p.grad.numpy() for p in m.parameters()])
    _assert_all_close(*results, 1e-9)


@pytest.mark.parametrize("cls,kw", [
    ("RNN", dict(nonlinearity="relu", bidirectional=True)), ("RNN", dict(num_layers=2)),
    ("GRU", dict(bidirectional=True)), ("LSTM", dict(proj_size=2, num_layers=2)),
    ("LSTM", dict(bidirectional=True, bias=False)),
])
def test_gradcheck_float64(cls, kw):
    gt.manual_seed(0)
    m = getattr(gt.nn, cls)(3, 4, **kw).double()
    x = gt.randn(4, 2, 3, dtype=gt.float64, requires_grad=True)
    D, L = (2 if kw.get("bidirectional") else 1), kw.get("num_layers", 1)
    P = kw.get("proj_size", 0) or 4
    h0 = gt.randn(D * L, 2, P, dtype=gt.float64, requires_grad=True)
    c0 = gt.randn(D * L, 2, 4, dtype=gt.float64, requires_grad=True)
    params = list(m.parameters())

    def f(x, h0, c0, *weights):
        for name, w in zip(m._flat_weights_names, weights):
            delattr(m, name)
            setattr(m, name, w)  # a plain tensor in the parameter's place (as functional_call)
        out, state = m(x, (h0, c0) if cls == "LSTM" else h0)
        return (out, *state) if isinstance(state, tuple) else (out, state)

    leaves = [p.detach().requires_grad_() for p in params]
    assert gt.autograd.gradcheck(f, (x, h0, c0, *leaves), eps=1e-6, atol=1e-5, rtol=1e-3)


@pytest.mark.parametrize("cls", ["RNNCell", "GRUCell", "LSTMCell"])
def test_gradcheck_cells_and_packed(cls):
    m = getattr(gt.nn, cls)(3, 4).double()
    x = gt.randn(2, 3, dtype=gt.float64, requires_grad=True)
    assert gt.autograd.gradcheck(lambda x: m(x), (x,))
    layer = gt.nn.GRU(3, 4, bidirectional=True).double()
    xs = gt.randn(4, 3, 3, dtype=gt.float64, requires_grad=True)
    U = gt.nn.utils.rnn

    def packed(xs):
        out, h = layer(U.pack_padded_sequence(xs, [2, 4, 1], enforce_sorted=False))
        return out.data, h

    assert gt.autograd.gradcheck(packed, (xs,))


@pytest.mark.parametrize("cls", ["RNN", "GRU", "LSTM"])
def test_a_thousand_steps_backward_without_recursion(cls):
    m = getattr(gt.nn, cls)(2, 3)
    x = gt.randn(1000, 2, 2, requires_grad=True)
    out, state = m(x)
    (out.sum() + (state[0] if isinstance(state, tuple) else state).sum()).backward()
    assert x.grad.shape == (1000, 2, 2)
    assert type(out.grad_fn).__name__ in ("RnnLayerBackward0", "GruLayerBackward0",
                                          "SliceBackward0", "AsStridedBackward0")


def test_one_node_per_layer_and_direction():
    x = gt.randn(50, 2, 3)
    for cls, node in [("RNN", "RnnLayerBackward0"), ("GRU", "GruLayerBackward0"),
                      ("LSTM", "LstmLayerBackward0")]:
        m = getattr(gt.nn, cls)(3, 4, num_layers=2, bidirectional=True)
        out = m(x)[0]
        seen, stack, found = set(), [out.grad_fn], 0
        while stack:
            fn = stack.pop()
            if fn is None or id(fn) in seen:
                continue
            seen.add(id(fn))
            found += type(fn).__name__ == node
            stack.extend(f for f, _ in fn.next_functions)
        assert found == 4, cls  # 2 layers x 2 directions, whatever the number of steps


# ---- parameters, state dict, printed form ------------------------------------------------------
@needs_torch
@pytest.mark.parametrize("cls,kw", [
    ("RNN", dict(num_layers=2, nonlinearity="relu")),
    ("GRU", dict(num_layers=3, bidirectional=True, bias=False)),
    ("LSTM", dict(num_layers=2, bidirectional=True, proj_size=2, batch_first=True,
                  dropout=0.25)),
    ("RNNCell", dict(nonlinearity="relu")), ("GRUCell", dict(bias=False)), ("LSTMCell", dict()),
])
def test_parameter_names_shapes_and_repr_match_torch(cls, kw):
    ours, theirs = getattr(gt.nn, cls)(I, H, **kw), getattr(torch.nn, cls)(I, H, **kw)
    assert [(n, tuple(p.shape)) for n, p in ours.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in theirs.named_parameters()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs)
    assert repr(gt.nn.Sequential(ours)) == repr(torch.nn.Sequential(theirs))
    bound = 1 / H ** 0.5
    for p in ours.parameters():
        assert p.requires_grad and float(p.detach().abs().max()) <= bound


@needs_torch
def test_weights_saved_by_torch_load_and_give_torch_results(tmp_path):
    theirs = torch.nn.LSTM(I, H, num_layers=2, bidirectional=True)
    ours = gt.nn.LSTM(I, H, num_layers=2, bidirectional=True)
    missing = ours.load_state_dict({k: gt.tensor(v.numpy()) for k, v in
                                    theirs.state_dict().items()})
    assert not missing.missing_keys and not missing.unexpected_keys
    x = np.random.default_rng(0).standard_normal((3, 2, I)).astype("float32")
    a, b = ours(gt.tensor(x))[0], theirs(torch.tensor(x))[0]
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-6)
    gt.save(ours.state_dict(), tmp_path / "lstm.pt")
    again = gt.nn.LSTM(I, H, num_layers=2, bidirectional=True)
    again.load_state_dict(gt.load(tmp_path / "lstm.pt"))
    np.testing.assert_array_equal(again(gt.tensor(x))[0].detach().numpy(),
                                  a.detach().numpy())


def test_module_api_pieces():
    m = gt.nn.GRU(3, 4, num_layers=2, bidirectional=True)
    assert len(m.all_weights) == 4 and len(m.all_weights[0]) == 4
    assert m._flat_weights_names[:5] == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0",
                                         "bias_hh_l0", "weight_ih_l0_reverse"]
    m.flatten_parameters()
    m.double()
    assert m(gt.zeros(2, 1, 3, dtype=gt.float64))[0].dtype == gt.float64
    assert isinstance(gt.nn.LSTM(3, 4), gt.nn.RNNBase)


def test_dropout_between_layers_only_while_training():
    gt.manual_seed(0)
    m = gt.nn.GRU(3, 4, num_layers=2, dropout=0.5)
    x = gt.randn(6, 2, 3)
    m.eval()
    a, b = m(x)[0], m(x)[0]
    assert gt.equal(a, b)
    m.train()
    outs = [m(x)[0] for _ in range(4)]
    assert not all(gt.equal(outs[0], o) for o in outs[1:])
    one_layer = gt.nn.GRU(3, 4, num_layers=2, dropout=1.0).train()
    ref = gt.nn.GRU(3, 4, num_layers=2).train()
    ref.load_state_dict(one_layer.state_dict())
    ref.weight_ih_l1.data.zero_()  # dropout=1 zeroes layer 2's input: as if W_ih were 0
    assert gt.allclose(one_layer(x)[0], ref(x)[0])


def test_detach_in_place_of_the_final_state_as_d2l_does():
    m = gt.nn.LSTM(3, 4)
    x = gt.randn(5, 2, 3)
    out, state = m(x)
    for s in state:
        s.detach_()  # d2l's train_epoch_ch8 between minibatches
    out2, _ = m(x, state)
    out2.sum().backward()
    gru = gt.nn.GRU(3, 4)
    _, h = gru(x)
    h.detach_()
    assert h.grad_fn is None and not h.requires_grad


@needs_torch
def test_clip_grad_norm_after_a_recurrent_backward():
    ours, theirs = _pair("GRU", num_layers=2)
    x = np.random.default_rng(0).standard_normal((6, 2, I))
    norms = []
    for lib, m in ((gt, ours), (torch, theirs)):
        (m(lib.tensor(x))[0] ** 2).sum().backward()
        norms.append(float(lib.nn.utils.clip_grad_norm_(m.parameters(), 0.5)))
        total = sum(float((p.grad ** 2).sum()) for p in m.parameters()) ** 0.5
        assert abs(total - 0.5) < 1e-6
    assert abs(norms[0] - norms[1]) < 1e-9


# ---- errors ------------------------------------------------------------------------------------
_U = "nn.utils.rnn"
ERRORS = {
    "rnn-4d-input": lambda L: L.nn.RNN(3, 4)(L.zeros(1, 2, 3, 3)),
    "gru-1d-input": lambda L: L.nn.GRU(3, 4)(L.zeros(3)),
    "lstm-4d-input": lambda L: L.nn.LSTM(3, 4)(L.zeros(1, 2, 3, 3)),
    "wrong-input-size": lambda L: L.nn.GRU(3, 4)(L.zeros(5, 2, 5)),
    "wrong-hidden-batch": lambda L: L.nn.GRU(3, 4)(L.zeros(5, 2, 3), L.zeros(1, 3, 4)),
    "wrong-hidden-layers": lambda L: L.nn.RNN(3, 4, 2)(L.zeros(5, 2, 3), L.zeros(1, 2, 4)),
    "lstm-wrong-h": lambda L: L.nn.LSTM(3, 4)(L.zeros(5, 2, 3),
                                              (L.zeros(1, 3, 4), L.zeros(1, 2, 4))),
    "lstm-wrong-c": lambda L: L.nn.LSTM(3, 4)(L.zeros(5, 2, 3),
                                              (L.zeros(1, 2, 4), L.zeros(1, 2, 5))),
    "lstm-proj-h": lambda L: L.nn.LSTM(3, 4, proj_size=2)(
        L.zeros(5, 2, 3), (L.zeros(1, 2, 4), L.zeros(1, 2, 4))),
    "unbatched-3d-hidden": lambda L: L.nn.GRU(3, 4)(L.zeros(5, 3), L.zeros(1, 2, 4)),
    "batched-2d-hidden": lambda L: L.nn.RNN(3, 4)(L.zeros(5, 2, 3), L.zeros(2, 4)),
    "lstm-batched-2d-state": lambda L: L.nn.LSTM(3, 4)(L.zeros(5, 2, 3),
                                                       (L.zeros(2, 4), L.zeros(2, 4))),
    "lstm-unbatched-3d-state": lambda L: L.nn.LSTM(3, 4)(L.zeros(5, 3),
                                                         (L.zeros(1, 1, 4), L.zeros(1, 4))),
    "float64-input": lambda L: L.nn.GRU(3, 4)(L.zeros(5, 2, 3, dtype=L.float64)),
    "int-input": lambda L: L.nn.LSTM(3, 4)(L.zeros(5, 2, 3, dtype=L.int64)),
    "float64-hidden": lambda L: L.nn.GRU(3, 4)(L.zeros(5, 2, 3), L.zeros(1, 2, 4,
                                                                         dtype=L.float64)),
    "list-input": lambda L: L.nn.GRU(3, 4)([[1.0, 2.0, 3.0]]),
    "zero-steps": lambda L: L.nn.GRU(3, 4)(L.zeros(0, 2, 3)),
    "lstm-state-not-a-pair": lambda L: L.nn.LSTM(3, 4)(L.zeros(2, 1, 3), L.zeros(1, 1, 4)),
    "pad-0d-sequence": lambda L: L.nn.utils.rnn.pad_sequence([L.tensor(1.0)]),
    "dropout-out-of-range": lambda L: L.nn.GRU(3, 4, dropout=1.5),
    "dropout-bool": lambda L: L.nn.GRU(3, 4, dropout=True),
    "zero-hidden-size": lambda L: L.nn.GRU(3, 0),
    "zero-input-size": lambda L: L.nn.GRU(0, 3),
    "zero-layers": lambda L: L.nn.LSTM(3, 4, 0),
    "negative-proj": lambda L: L.nn.LSTM(3, 4, proj_size=-1),
    "proj-not-smaller": lambda L: L.nn.LSTM(3, 4, proj_size=4),
    "proj-for-gru": lambda L: L.nn.GRU(3, 4, proj_size=2),
    "unknown-nonlinearity": lambda L: L.nn.RNN(3, 4, nonlinearity="sigmoid"),
    "int-bias-flag": lambda L: L.nn.RNN(3, 4, bias=1),
    "float-hidden-size": lambda L: L.nn.RNN(3, 4.0),
    "cell-input-size": lambda L: L.nn.GRUCell(3, 4)(L.zeros(2, 5)),
    "cell-batch": lambda L: L.nn.RNNCell(3, 4)(L.zeros(2, 3), L.zeros(3, 4)),
    "cell-hidden-size": lambda L: L.nn.GRUCell(3, 4)(L.zeros(2, 3), L.zeros(2, 5)),
    "lstmcell-c-size": lambda L: L.nn.LSTMCell(3, 4)(L.zeros(2, 3),
                                                     (L.zeros(2, 4), L.zeros(2, 5))),
    "lstmcell-c-batch": lambda L: L.nn.LSTMCell(3, 4)(L.zeros(2, 3),
                                                      (L.zeros(2, 4), L.zeros(3, 4))),
    "cell-3d-input": lambda L: L.nn.LSTMCell(3, 4)(L.zeros(1, 2, 3)),
    "cell-3d-hidden": lambda L: L.nn.GRUCell(3, 4)(L.zeros(2, 3), L.zeros(1, 2, 4)),
    "lstmcell-3d-c": lambda L: L.nn.LSTMCell(3, 4)(L.zeros(2, 3),
                                                   (L.zeros(2, 4), L.zeros(1, 2, 4))),
    "cell-float64-input": lambda L: L.nn.GRUCell(3, 4)(L.zeros(2, 3, dtype=L.float64)),
    "pack-unsorted": lambda L: L.nn.utils.rnn.pack_padded_sequence(L.zeros(3, 2, 1), [2, 3]),
    "pack-zero-length": lambda L: L.nn.utils.rnn.pack_padded_sequence(L.zeros(3, 2, 1), [3, 0]),
    "pack-lengths-count": lambda L: L.nn.utils.rnn.pack_padded_sequence(L.zeros(3, 2, 1),
                                                                        [3, 2, 1]),
    "pack-2d-lengths": lambda L: L.nn.utils.rnn.pack_padded_sequence(L.zeros(3, 2, 1),
                                                                     L.tensor([[3, 2]])),
    "pad-total-length": lambda L: L.nn.utils.rnn.pad_packed_sequence(
        L.nn.utils.rnn.pack_sequence([L.zeros(3), L.zeros(2)]), total_length=2),
    "pad-side": lambda L: L.nn.utils.rnn.pad_sequence([L.zeros(3)], padding_side="top"),
    "pad-empty": lambda L: L.nn.utils.rnn.pad_sequence([]),
    "pad-trailing-mismatch": lambda L: L.nn.utils.rnn.pad_sequence([L.zeros(3, 2),
                                                                    L.zeros(2, 3)]),
    "packed-input-size": lambda L: L.nn.GRU(2, 4)(
        L.nn.utils.rnn.pack_sequence([L.zeros(3, 3), L.zeros(2, 3)])),
    "packed-hidden-batch": lambda L: L.nn.GRU(3, 4)(
        L.nn.utils.rnn.pack_sequence([L.zeros(3, 3), L.zeros(2, 3)]), L.zeros(1, 3, 4)),
}


@needs_torch
@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(name):
    ours, theirs = raised(ERRORS[name], gt), raised(ERRORS[name], torch)
    assert ours[0] == theirs[0], (ours, theirs)
    assert theirs[1] in ours[1], (ours, theirs)  # ours may add the fix after torch's words


@needs_torch
@pytest.mark.parametrize("cls", ["RNN", "GRU", "LSTM", "GRUCell"])
def test_an_empty_batch_runs_as_in_torch(cls):
    shape = (0, I) if cls.endswith("Cell") else (5, 0, I)
    shapes = []
    for lib in (gt, torch):
        x = lib.zeros(*shape, requires_grad=True)
        out = getattr(lib.nn, cls)(I, H)(x)
        flat = [out] if isinstance(out, lib.Tensor) else [out[0], *(
            out[1] if isinstance(out[1], tuple) else [out[1]])]
        sum(o.sum() for o in flat).backward()
        shapes.append([tuple(o.shape) for o in flat] + [tuple(x.grad.shape)])
    assert shapes[0] == shapes[1]


@needs_torch
def test_packed_data_grad_fn_is_named_as_torch():
    names = [type(lib.nn.utils.rnn.pack_sequence(
        [lib.ones(2, requires_grad=True), lib.ones(1)]).data.grad_fn).__name__ for lib in (gt,)]
    theirs = torch.nn.utils.rnn.pack_sequence([torch.ones(2, requires_grad=True), torch.ones(1)])
    assert names == [theirs.data.grad_fn.name()]


def test_packing_lengths_past_the_padded_length_is_an_error():
    # torch packs garbage here (it reads past the input); we say what is wrong
    with pytest.raises(RuntimeError, match="at most 3"):
        gt.nn.utils.rnn.pack_padded_sequence(gt.zeros(3, 2, 1), [4, 2])


@needs_torch
def test_dropout_with_one_layer_warns_as_torch():
    for lib in (gt, torch):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            lib.nn.LSTM(3, 4, dropout=0.2)
        assert len(w) == 1 and "non-zero dropout expects num_layers greater than 1" in str(
            w[0].message)
        if lib is gt:  # ours points at the learner's line (torch's at its own rnn.py)
            assert w[0].filename == __file__


@pytest.mark.parametrize("cls", ["RNN", "GRU", "LSTM"])
def test_second_derivatives_of_packed_bidirectional_layers(cls):
    # create_graph recomputes each layer with ordinary ops (packed rows and reverse included):
    # check those second derivatives against finite differences of the first ones
    gt.manual_seed(0)
    m = getattr(gt.nn, cls)(2, 3, bidirectional=True).double()
    x = gt.randn(3, 3, 2, dtype=gt.float64, requires_grad=True)
    U = gt.nn.utils.rnn

    def f(x):
        out, state = m(U.pack_padded_sequence(x, [3, 1, 2], enforce_sorted=False))
        return out.data, *(state if isinstance(state, tuple) else (state,))

    assert gt.autograd.gradgradcheck(f, (x,))
