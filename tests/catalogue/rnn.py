"""Catalogue entries for the recurrent layers: ``nn.RNN`` (tanh, relu), ``nn.GRU``, ``nn.LSTM``
(with projections) over several layers, both directions, batch-first and unbatched inputs, and
the cells ``nn.RNNCell``/``GRUCell``/``LSTMCell``, plus their errors.

Each line builds the layer in the input's dtype and puts the catalogue's tensors in the place of
its weights (``del m.weight_ih_l0; m.weight_ih_l0 = w``, as ``torch.func.functional_call``
does), so that both libraries run with the same weights and the gradients reach them. Inputs:
x, then h0 (and c0), then the weights in torch's order (``_flat_weights_names``).
"""

from __future__ import annotations

from .spec import ErrorSpec, OpSpec

I, H = 3, 4


def _with_weights(m, weights):
    names = getattr(m, "_flat_weights_names", None) or [n for n, _ in m.named_parameters()]
    for name, w in zip(names, weights):
        delattr(m, name)
        setattr(m, name, w)
    return m


def _layer(cls, **kw):
    def fn(lib, x, *rest):
        n_states = 2 if cls == "LSTM" else 1
        states, weights = rest[:n_states], rest[n_states:]
        m = _with_weights(getattr(lib.nn, cls)(I, H, dtype=x.dtype, **kw), weights)
        out, state = m(x, tuple(states) if cls == "LSTM" else states[0])
        return (out, *state) if isinstance(state, tuple) else (out, state)
    return fn


def _cell(cls, **kw):
    def fn(lib, x, *rest):
        n_states = 2 if cls == "LSTMCell" else 1
        states, weights = rest[:n_states], rest[n_states:]
        m = _with_weights(getattr(lib.nn, cls)(I, H, dtype=x.dtype, **kw), weights)
        return m(x, tuple(states) if cls == "LSTMCell" else states[0])
    return fn


def _weight_shapes(gates, layers=1, directions=1, bias=True, proj=0):
    P = proj or H
    shapes = []
    for layer in range(layers):
        inp = I if layer == 0 else P * directions
        for _ in range(directions):
            shapes += [(gates * H, inp), (gates * H, P)]
            shapes += [(gates * H,), (gates * H,)] if bias else []
            shapes += [(proj, H)] if proj else []
    return shapes


def _entry(name, cls, gates, T=4, B=2, batch_first=False, unbatched=False, **kw):
    L, D = kw.get("num_layers", 1), 2 if kw.get("bidirectional") else 1
    P = kw.get("proj_size", 0) or H
    x = (T, I) if unbatched else ((B, T, I) if batch_first else (T, B, I))
    lead = (L * D,) if unbatched else (L * D, B)
    states = [(*lead, P)] + ([(*lead, H)] if cls == "LSTM" else [])
    weights = _weight_shapes(gates, L, D, kw.get("bias", True), kw.get("proj_size", 0))
    return OpSpec(name, _layer(cls, batch_first=batch_first, **kw), [x, *states, *weights],
                  domain=(-1.0, 1.0))


OPS = [
    _entry("nn.RNN/tanh", "RNN", 1),
    _entry("nn.RNN/relu/2-layers/bidirectional", "RNN", 1, nonlinearity="relu", num_layers=2,
           bidirectional=True),
    _entry("nn.RNN/no-bias/batch-first", "RNN", 1, bias=False, batch_first=True),
    _entry("nn.GRU", "GRU", 3),
    _entry("nn.GRU/2-layers/bidirectional/batch-first", "GRU", 3, num_layers=2,
           bidirectional=True, batch_first=True),
    _entry("nn.GRU/unbatched", "GRU", 3, unbatched=True),
    _entry("nn.GRU/one-step", "GRU", 3, T=1),
    _entry("nn.LSTM", "LSTM", 4),
    _entry("nn.LSTM/2-layers/bidirectional/no-bias", "LSTM", 4, num_layers=2, bidirectional=True,
           bias=False),
    _entry("nn.LSTM/proj_size", "LSTM", 4, proj_size=2),
    _entry("nn.LSTM/proj_size/bidirectional/unbatched", "LSTM", 4, proj_size=2,
           bidirectional=True, unbatched=True),
    OpSpec("nn.RNNCell", _cell("RNNCell"), [(2, I), (2, H), (H, I), (H, H), (H,), (H,)],
           domain=(-1.0, 1.0)),
    OpSpec("nn.RNNCell/relu/unbatched", _cell("RNNCell", nonlinearity="relu"),
           [(I,), (H,), (H, I), (H, H), (H,), (H,)], domain=(-1.0, 1.0)),
    OpSpec("nn.GRUCell", _cell("GRUCell"),
           [(2, I), (2, H), (3 * H, I), (3 * H, H), (3 * H,), (3 * H,)], domain=(-1.0, 1.0)),
    OpSpec("nn.LSTMCell", _cell("LSTMCell"),
           [(2, I), (2, H), (2, H), (4 * H, I), (4 * H, H), (4 * H,), (4 * H,)],
           domain=(-1.0, 1.0)),
    OpSpec("nn.LSTMCell/no-bias/unbatched", _cell("LSTMCell", bias=False),
           [(I,), (H,), (H,), (4 * H, I), (4 * H, H)], domain=(-1.0, 1.0)),
]

ERRORS = [
    ErrorSpec("nn.GRU/input-size", lambda lib, x: lib.nn.GRU(I, H)(x), [(4, 2, 5)],
              contains=("input.size(-1) must be equal to input_size. Expected 3, got 5",)),
    ErrorSpec("nn.LSTM/hidden-shape",
              lambda lib, x, h, c: lib.nn.LSTM(I, H)(x, (h, c)), [(4, 2, I), (1, 3, H), (1, 2, H)],
              contains=("Expected hidden[0] size (1, 2, 4), got [1, 3, 4]",)),
    ErrorSpec("nn.RNN/4-d-input", lambda lib, x: lib.nn.RNN(I, H)(x), [(1, 4, 2, I)],
              exc=ValueError, contains=("RNN: Expected input to be 2D or 3D, got 4D",)),
    ErrorSpec("nn.GRU/float64-input", lambda lib, x: lib.nn.GRU(I, H)(x), [(4, 2, I)],
              dtype="float64", exc=ValueError,
              contains=("RNN input dtype (torch.float64) does not match weight dtype "
                        "(torch.float32)",)),
    ErrorSpec("nn.GRUCell/input-size", lambda lib, x: lib.nn.GRUCell(I, H)(x), [(2, 5)],
              contains=("input has inconsistent input_size: got 5 expected 3",)),
    ErrorSpec("nn.LSTMCell/batch", lambda lib, x, h, c: lib.nn.LSTMCell(I, H)(x, (h, c)),
              [(2, I), (2, H), (3, H)],
              contains=("Input batch size 2 doesn't match hidden1 batch size 3",)),
]
