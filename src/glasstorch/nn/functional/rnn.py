"""Recurrent layers: one layer, one direction of an Elman RNN, a GRU or an LSTM over a sequence.

``nn.RNN``, ``nn.GRU``, ``nn.LSTM`` and their cells (``nn/modules/rnn.py``) stack these layers;
each call here runs one of them over all time steps and joins the graph as ONE node
(``RnnLayerBackward0``, ``GruLayerBackward0``, ``LstmLayerBackward0``). The forward loops over
time in NumPy and keeps the gates; the backward runs backpropagation through time in one NumPy
loop. So a sequence of 1000 steps is one node (no recursion, no Python graph node per step), and
the work per step is one ``(B, H) @ (H, G)`` product plus a few in-place gate updates: the
products with the inputs are done for all steps at once, before the loop (forward) or after it
(backward).

The equations (``x`` the step's input, ``h`` the hidden state before the step; the gate blocks of
``weight_ih``/``weight_hh`` are stacked in this order):

- RNN:  ``h' = tanh(W_ih x + b_ih + W_hh h + b_hh)``   (or ``relu``)
- GRU (blocks r, z, n)::

      r = σ(W_ir x + b_ir + W_hr h + b_hr)          reset gate
      z = σ(W_iz x + b_iz + W_hz h + b_hz)          update gate
      n = tanh(W_in x + b_in + r * (W_hn h + b_hn))  candidate
      h' = (1 - z) * n + z * h

- LSTM (blocks i, f, g, o)::

      i, f, o = σ(...),  g = tanh(...)   each  W_i* x + b_i* + W_h* h + b_h*
      c' = f * c + i * g
      h' = o * tanh(c')            (with ``proj_size``: h' = W_hr (o * tanh(c')))

Shapes: ``x`` (T, B, I), ``h0`` (B, P), ``c0`` (B, H) → output (T, B, P), where P is the hidden
size (or the projection size of an LSTM). An LSTM's node output is (T, B, P + H): each step's
``h`` and then its ``c`` (the module slices the two apart), so that both the outputs and the
last cell state can carry gradients back into the one node.

Packed (variable-length) batches: ``batch_sizes[t]`` says how many of the B rows are still running
at step t (sorted longest first, as ``pack_padded_sequence`` arranges them). A step updates only
those rows; the others keep their state, so that after the loop the state of each row is the one
after its own last step (the forward direction), or the reverse direction starts each row at its
own last step.

With ``create_graph=True`` the backward recomputes the layer with ordinary glasstorch ops
(``_layer_by_ops``, the same equations step by step) and differentiates that, so second
derivatives work too.
"""

from __future__ import annotations

import numpy as np

from ... import _array
from ..._dtype import scalar_name
from ..._tensor import Tensor, _wrap
from ...autograd import grad_mode
from ...autograd.graph import Node, attach
from ...ops.join import cat, stack
from ._elementwise import contiguous
from .linear import linear


def _check_dtypes(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor) -> None:
    """torch's error when the input or the state has another dtype than the weights (its
    products ``x @ W_ih^T``, ``h @ W_hh^T`` fail), with the fix."""
    for t, w, what in ((input, w_ih, "input"), (hx, w_hh, "hidden state")):
        if t._data.dtype != w._data.dtype:
            raise RuntimeError(
                f"mat1 and mat2 must have the same dtype, but got {scalar_name(t._data.dtype)} "
                f"and {scalar_name(w._data.dtype)} (the {what} must have the weights' dtype: "
                f"convert it with .to({w.dtype}))")


def _data(t):
    return None if t is None else t._data


def _tanh_form(H: int, blocks: str, dtype, like) -> tuple:
    """Per-column ``(half, shift)`` for gate blocks of width H, in the order of ``blocks``:
    ``g`` (and ``n``) is a tanh gate (1, 0), every other one a sigmoid gate (0.5, 0.5), since
    σ(a) = 0.5 + 0.5 tanh(a / 2). With the pre-activations of the sigmoid gates halved (their
    weight rows times ``half``), ``tanh(a) * half + shift`` is every gate at once: contiguous
    passes over the whole block, cheaper than an exp-based sigmoid on each slice. Made on the
    host, moved to the device of ``like``."""
    half = np.concatenate([np.full(H, 1.0 if b in "gn" else 0.5, dtype) for b in blocks])
    shift = np.concatenate([np.full(H, 0.0 if b in "gn" else 0.5, dtype) for b in blocks])
    return _array.like(like, half), _array.like(like, shift)


_COPY_FROM_ROWS = 128  # measured: below this many rows (T * B) the copy costs more than it saves


def _right_operand(w: np.ndarray, rows: int) -> np.ndarray:
    """``W^T`` as the right operand of the per-step products ``h @ W^T``: for many rows in all
    (T * B), a C-contiguous copy (one transposing copy, then each product runs ~1.5x faster with
    OpenBLAS, measured); for a short sequence (a decoder's single step) the transposed view."""
    return contiguous(w.T) if rows >= _COPY_FROM_ROWS else w.T


def _halved(wi: np.ndarray, bias, wh: np.ndarray, half: np.ndarray, rows: int) -> tuple:
    """The weights of a gated layer ready for its loop: ``(W_ih, bias, W_hh^T, step_half)``.

    The sigmoid gates are computed as ``0.5 + 0.5 tanh(a / 2)`` (``_tanh_form``), so their
    pre-activations must be halved. For a long sequence the weights' rows are halved once (and
    W_hh^T laid out C-contiguous in the same pass) and ``step_half`` is None; for a few rows
    each step halves its pre-activations itself (``a *= step_half``) instead of paying a pass
    over the weights."""
    if rows >= _COPY_FROM_ROWS:
        if _array.on_host(wh):
            whT = np.multiply(wh.T, half, order="C")
        else:  # (CuPy's ufuncs take no order=)
            whT = contiguous(wh.T) * half
        return wi * half[:, None], None if bias is None else bias * half, whT, None
    return wi, bias, wh.T, half


def _steps(T: int, reverse: bool):
    return range(T - 1, -1, -1) if reverse else range(T)


def _sizes(batch_sizes, T: int, B: int) -> list:
    return [B] * T if batch_sizes is None else list(batch_sizes)


def _input_products(x: np.ndarray, w_ih: np.ndarray, bias) -> np.ndarray:
    """``x @ W_ih^T + bias`` for all T steps at once: (T, B, I) → (T, B, G)."""
    T, B, Ii = x.shape
    xw = np.matmul(x.reshape(T * B, Ii), w_ih.T)
    if bias is not None:
        xw += bias
    return xw.reshape(T, B, w_ih.shape[0])


def _previous(seq: np.ndarray, first: np.ndarray, reverse: bool) -> np.ndarray:
    """The state *before* each step: ``first`` (h0) then the outputs shifted by one step, in
    the direction of the loop. (T, B, K)."""
    prev = _array.namespace(seq).empty(seq.shape, seq.dtype)
    if not seq.size:
        return prev
    if reverse:
        prev[:-1] = seq[1:]
        prev[-1] = first
    else:
        prev[1:] = seq[:-1]
        prev[0] = first
    return prev


def _weight_grads(dA: np.ndarray, x: np.ndarray, hprev: np.ndarray, w_ih: np.ndarray,
                  needs: tuple) -> tuple:
    """From the gradient of each step's pre-activations ``dA`` (T, B, G), for all steps at
    once: (dx, dW_ih, dW_hh, db). ``needs`` = which of x, W_ih, W_hh, b are wanted."""
    T, B, G = dA.shape
    flat = dA.reshape(T * B, G)
    dx = np.matmul(flat, w_ih).reshape(x.shape) if needs[0] else None
    dw_ih = np.matmul(flat.T, x.reshape(T * B, x.shape[2])) if needs[1] else None
    dw_hh = np.matmul(flat.T, hprev.reshape(T * B, hprev.shape[2])) if needs[2] else None
    db = flat.sum(0) if needs[3] else None
    return dx, dw_ih, dw_hh, db


def _two(db, needs) -> tuple:
    """The bias gradient for b_ih and b_hh (added together in the forward: the same values),
    each its own array."""
    first = db if needs[0] else None
    second = (db.copy() if needs[0] else db) if needs[1] else None
    return first, second


def _wrap_all(arrays) -> tuple:
    return tuple(None if a is None else _wrap(a) for a in arrays)


# ---- Elman RNN ---------------------------------------------------------------------------------
def rnn_layer(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None,
              b_hh: Tensor | None, nonlinearity: str = "tanh", batch_sizes=None,
              reverse: bool = False) -> Tensor:
    """One direction of one Elman RNN layer over a whole sequence.

    Shapes: input (T, B, I), hx (B, H), w_ih (H, I), w_hh (H, H), biases (H,) → the hidden
    state after every step (T, B, H) (for ``reverse``, the state after step t of the loop that
    runs from T-1 down to 0 is at index t).
    """
    _check_dtypes(input, hx, w_ih, w_hh)
    x, h0, wi, wh = input._data, hx._data, w_ih._data, w_hh._data
    T, B, _ = x.shape
    bias = _both(_data(b_ih), _data(b_hh))
    Y = _input_products(x, wi, bias)  # becomes the outputs in place, step by step
    whT = _right_operand(wh, T * B)
    act = np.tanh if nonlinearity == "tanh" else _relu_
    h = h0
    for t, bs in _with_sizes(T, B, batch_sizes, reverse):
        yt = Y[t]
        if bs == B:
            yt += np.matmul(h, whT)
            act(yt, out=yt)
        else:  # a packed batch: rows past bs have ended (or not begun): they keep their state
            yt[:bs] += np.matmul(h[:bs], whT)
            act(yt[:bs], out=yt[:bs])
            yt[bs:] = h[bs:]
        h = yt
    return attach(_wrap(Y), RnnLayerBackward0, input, hx, w_ih, w_hh, b_ih, b_hh,
                  nonlinearity=nonlinearity, batch_sizes=batch_sizes, reverse=reverse)


def _relu_(a: np.ndarray, out: np.ndarray) -> np.ndarray:
    return np.maximum(a, 0, out=out)


def _both(b_ih, b_hh):
    if b_ih is None:
        return b_hh
    return b_ih if b_hh is None else b_ih + b_hh


def _with_sizes(T: int, B: int, batch_sizes, reverse: bool):
    sizes = _sizes(batch_sizes, T, B)
    return [(t, sizes[t]) for t in _steps(T, reverse)]


class RnnLayerBackward0(Node):
    """Backward through time of ``rnn_layer``: one loop from the last step to the first.

    With ``a_t`` the pre-activation of step t: ``da_t = dh_t * act'(a_t)`` (``1 - h²`` for tanh,
    ``h > 0`` for relu) and ``dh_{t-1} = da_t @ W_hh`` plus the gradient from the output at t-1.
    The weight, bias and input gradients are then products over all steps at once.
    """

    keeps_output = True

    def __init__(self, x, h0, w_ih, w_hh, b_ih, b_hh, *, nonlinearity, batch_sizes, reverse):
        super().__init__(x, h0, w_ih, w_hh, b_ih, b_hh)
        self.save(x, h0, w_ih, w_hh, b_ih, b_hh)
        self.nonlinearity, self.batch_sizes, self.reverse = nonlinearity, batch_sizes, reverse

    def backward(self, grad):
        x, h0, w_ih, w_hh, b_ih, b_hh = self.saved_tensors
        needs = self.needs_input_grad
        if grad_mode.state.enabled:
            return _graph_backward(self, grad, "RNN_" + self.nonlinearity.upper(), x, h0, None,
                                   w_ih, w_hh, b_ih, b_hh, None)
        # fast path: backward through time on the arrays, no tensors per step
        Y, g, wh = self.saved_output._data, grad._data, w_hh._data
        T, B, H = Y.shape
        dA = np.zeros_like(Y)
        dh = _array.namespace(Y).zeros((B, H), Y.dtype)
        tanh = self.nonlinearity == "tanh"
        for t, bs in reversed(_with_sizes(T, B, self.batch_sizes, self.reverse)):
            dh += g[t]
            y, da = Y[t, :bs], dA[t, :bs]
            if tanh:
                np.multiply(y, y, out=da)
                np.subtract(1.0, da, out=da)
                da *= dh[:bs]
            else:
                np.multiply(dh[:bs], y > 0, out=da)
            dh[:bs] = np.matmul(da, wh)
        hprev = _previous(Y, h0._data, self.reverse)
        dx, dw_ih, dw_hh, db = _weight_grads(
            dA, x._data, hprev, w_ih._data, (needs[0], needs[2], needs[3], needs[4] or needs[5]))
        return _wrap_all((dx, dh if needs[1] else None, dw_ih, dw_hh, *_two(db, needs[4:6])))


# ---- GRU ---------------------------------------------------------------------------------------
def gru_layer(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None,
              b_hh: Tensor | None, batch_sizes=None, reverse: bool = False) -> Tensor:
    """One direction of one GRU layer over a whole sequence.

    Shapes: input (T, B, I), hx (B, H), w_ih (3H, I), w_hh (3H, H), biases (3H,) → the hidden
    state after every step (T, B, H).
    """
    _check_dtypes(input, hx, w_ih, w_hh)
    x, h0, wi, wh = input._data, hx._data, w_ih._data, w_hh._data
    bh = _data(b_hh)
    T, B, _ = x.shape
    H = h0.shape[1]
    # σ(a) = (1 + tanh(a / 2)) / 2: the r and z pre-activations are halved (``_halved``)
    xp = _array.namespace(x)
    half, _ = _tanh_form(H, "rzn", x.dtype, x)
    bias = _data(b_ih)  # b_hr and b_hz join it; b_hn stays inside r * (W_hn h + b_hn)
    if bh is not None:
        bias = np.concatenate([bh[:2 * H], xp.zeros(H, bh.dtype)]) + (0 if bias is None else bias)
    wi, bias, whT, step_half = _halved(wi, bias, wh, half, T * B)  # whT: (H, 3H)
    xw = _input_products(x, wi, bias)  # (T, B, 3H)
    bhn = None if bh is None else bh[2 * H:]
    Y = xp.empty((T, B, H), x.dtype)
    RZ = xp.zeros((T, B, 2 * H), x.dtype)  # the gates, kept for backward
    N = xp.zeros((T, B, H), x.dtype)
    GHN = xp.zeros((T, B, H), x.dtype)  # W_hn h + b_hn, which r multiplies
    h = h0
    for t, bs in _with_sizes(T, B, batch_sizes, reverse):
        hp = h[:bs]
        gh = np.matmul(hp, whT)
        xt = xw[t, :bs]
        rz = RZ[t, :bs]
        np.add(xt[:, :2 * H], gh[:, :2 * H], out=rz)
        if step_half is not None:
            rz *= 0.5
        np.tanh(rz, out=rz)
        rz *= 0.5
        rz += 0.5
        ghn, n = GHN[t, :bs], N[t, :bs]
        if bhn is None:
            ghn[...] = gh[:, 2 * H:]
        else:
            np.add(gh[:, 2 * H:], bhn, out=ghn)
        np.multiply(rz[:, :H], ghn, out=n)
        n += xt[:, 2 * H:]
        np.tanh(n, out=n)
        yt = Y[t]
        np.subtract(hp, n, out=yt[:bs])  # h' = n + z * (h - n)
        yt[:bs] *= rz[:, H:]
        yt[:bs] += n
        if bs < B:
            yt[bs:] = h[bs:]
        h = yt
    return attach(_wrap(Y), GruLayerBackward0, input, hx, w_ih, w_hh, b_ih, b_hh,
                  gates=(RZ, N, GHN), batch_sizes=batch_sizes, reverse=reverse)


class GruLayerBackward0(Node):
    """Backward through time of ``gru_layer``: one loop from the last step to the first.

    Per step, from ``dh`` (the output's gradient plus what flows back from the next step)::

        dn = dh (1 - z)        dz = dh (h - n)        dh_prev = dh z + dG_h @ W_hh
        da_n = dn (1 - n²)     (the candidate's pre-activation: input side)
        dG_hn = da_n r         dr = da_n (W_hn h + b_hn)
        da_r = dr r (1 - r)    da_z = dz z (1 - z)   (shared by the input and hidden sides)
    """

    keeps_output = True

    def __init__(self, x, h0, w_ih, w_hh, b_ih, b_hh, *, gates, batch_sizes, reverse):
        super().__init__(x, h0, w_ih, w_hh, b_ih, b_hh)
        self.save(x, h0, w_ih, w_hh, b_ih, b_hh)
        self.gates, self.batch_sizes, self.reverse = gates, batch_sizes, reverse

    def release(self):
        super().release()
        self.gates = None

    def backward(self, grad):
        x, h0, w_ih, w_hh, b_ih, b_hh = self.saved_tensors
        needs = self.needs_input_grad
        if grad_mode.state.enabled:
            return _graph_backward(self, grad, "GRU", x, h0, None, w_ih, w_hh, b_ih, b_hh, None)
        # fast path: backward through time on the arrays, no tensors per step
        RZ, N, GHN = self.gates
        Y, g, wh = self.saved_output._data, grad._data, w_hh._data
        T, B, H = Y.shape
        hprev = _previous(Y, h0._data, self.reverse)
        xp = _array.namespace(Y)
        dGH = xp.zeros((T, B, 3 * H), Y.dtype)  # gradient of W_hh h + b_hh, per step
        dAn = xp.zeros((T, B, H), Y.dtype)  # gradient of W_in x + b_in, per step
        dh = xp.zeros((B, H), Y.dtype)
        for t, bs in reversed(_with_sizes(T, B, self.batch_sizes, self.reverse)):
            dh += g[t]
            d = dh[:bs]
            r, z = RZ[t, :bs, :H], RZ[t, :bs, H:]
            n, hp = N[t, :bs], hprev[t, :bs]
            dgh = dGH[t, :bs]
            dan = dAn[t, :bs]
            np.multiply(n, n, out=dan)  # da_n = dh (1 - z) (1 - n²)
            np.subtract(1.0, dan, out=dan)
            dan *= d
            dan *= 1.0 - z
            np.multiply(dan, r, out=dgh[:, 2 * H:])
            dr = dgh[:, :H]  # da_r = da_n ghn r (1 - r)
            np.multiply(dan, GHN[t, :bs], out=dr)
            dr *= r
            dr *= 1.0 - r
            dz = dgh[:, H:2 * H]  # da_z = dh (h - n) z (1 - z)
            np.subtract(hp, n, out=dz)
            dz *= d
            dz *= z
            dz *= 1.0 - z
            d *= z
            d += np.matmul(dgh, wh)
        dA = np.concatenate([dGH[:, :, :2 * H], dAn], axis=2)
        dx, dw_ih, _, db_ih = _weight_grads(
            dA, x._data, hprev, w_ih._data, (needs[0], needs[2], False, needs[4]))
        _, _, dw_hh, db_hh = _weight_grads(
            dGH, x._data, hprev, w_ih._data, (False, False, needs[3], needs[5]))
        return _wrap_all((dx, dh if needs[1] else None, dw_ih, dw_hh, db_ih, db_hh))


# ---- LSTM --------------------------------------------------------------------------------------
def lstm_layer(input: Tensor, hx: Tensor, cx: Tensor, w_ih: Tensor, w_hh: Tensor,
               b_ih: Tensor | None, b_hh: Tensor | None, w_hr: Tensor | None = None,
               batch_sizes=None, reverse: bool = False) -> Tensor:
    """One direction of one LSTM layer over a whole sequence.

    Shapes: input (T, B, I), hx (B, P), cx (B, H), w_ih (4H, I), w_hh (4H, P), biases (4H,),
    w_hr (P, H) or None (then P = H) → (T, B, P + H): at each step the hidden state, then the
    cell state.
    """
    _check_dtypes(input, hx, w_ih, w_hh)
    _check_dtypes(input, cx, w_ih, w_hh)
    x, h0, c0, wi, wh = input._data, hx._data, cx._data, w_ih._data, w_hh._data
    wr = _data(w_hr)
    T, B, _ = x.shape
    P, H = h0.shape[1], c0.shape[1]
    # σ(a) = (1 + tanh(a / 2)) / 2: with the sigmoid gates' pre-activations halved (``_halved``),
    # one tanh over all 4H columns, then one scale and one shift, give all four gates
    half, shift = _tanh_form(H, "ifgo", x.dtype, x)
    bias = _both(_data(b_ih), _data(b_hh))
    wi, bias, whT, step_half = _halved(wi, bias, wh, half, T * B)  # whT: (P, 4H)
    gates = _input_products(x, wi, bias)  # (T, B, 4H), then the gates in place
    wrT = None if wr is None else _right_operand(wr, T * B)
    xp = _array.namespace(x)
    out = xp.empty((T, B, P + H), x.dtype)  # each step's h, then its c
    TC = xp.zeros((T, B, H), x.dtype)  # tanh(c), kept for backward
    HC = None if wr is None else xp.zeros((T, B, H), x.dtype)  # o * tanh(c), before projection
    h, c = h0, c0
    for t, bs in _with_sizes(T, B, batch_sizes, reverse):
        a = gates[t, :bs]
        a += np.matmul(h[:bs], whT)
        if step_half is not None:
            a *= step_half
        np.tanh(a, out=a)
        a *= half
        a += shift
        ht, ct, tc = out[t, :, :P], out[t, :, P:], TC[t, :bs]
        np.multiply(a[:, H:2 * H], c[:bs], out=ct[:bs])  # c' = f c + i g
        ct[:bs] += a[:, :H] * a[:, 2 * H:3 * H]
        np.tanh(ct[:bs], out=tc)
        if wr is None:
            np.multiply(a[:, 3 * H:], tc, out=ht[:bs])
        else:
            hc = HC[t, :bs]
            np.multiply(a[:, 3 * H:], tc, out=hc)
            np.matmul(hc, wrT, out=ht[:bs])
        if bs < B:
            ct[bs:] = c[bs:]
            ht[bs:] = h[bs:]
        h, c = ht, ct
    return attach(_wrap(out), LstmLayerBackward0, input, hx, cx, w_ih, w_hh, b_ih, b_hh, w_hr,
                  saved=(gates, TC, HC), batch_sizes=batch_sizes, reverse=reverse)


class LstmLayerBackward0(Node):
    """Backward through time of ``lstm_layer``: one loop from the last step to the first.

    Per step, from ``dh`` and ``dc`` (the outputs' gradients plus what flows back)::

        (projection)  dW_hr += dh^T (o tanh c)     dh ← dh @ W_hr
        do = dh tanh(c)          dc += dh o (1 - tanh² c)
        di = dc g    df = dc c_prev    dg = dc i    dc_prev = dc f
        pre-activations: σ' = s (1 - s), tanh' = 1 - t²;   dh_prev = dA @ W_hh
    """

    keeps_output = True

    def __init__(self, x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, *, saved, batch_sizes,
                 reverse):
        super().__init__(x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr)
        self.save(x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr)
        self.kept, self.batch_sizes, self.reverse = saved, batch_sizes, reverse

    def release(self):
        super().release()
        self.kept = None

    def backward(self, grad):
        x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr = self.saved_tensors
        needs = self.needs_input_grad
        if grad_mode.state.enabled:
            return _graph_backward(self, grad, "LSTM", x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr)
        # fast path: backward through time on the arrays, no tensors per step
        gates, TC, HC = self.kept
        out, g, wh = self.saved_output._data, grad._data, w_hh._data
        wr = _data(w_hr)
        P, H = h0._data.shape[1], c0._data.shape[1]
        T, B, _ = out.shape
        Hs, C = out[:, :, :P], out[:, :, P:]
        hprev = _previous(Hs, h0._data, self.reverse)
        cprev = _previous(C, c0._data, self.reverse)
        xp = _array.namespace(out)
        dA = xp.zeros((T, B, 4 * H), out.dtype)
        dHs = None if wr is None else xp.zeros((T, B, P), out.dtype)  # for dW_hr
        dh = xp.zeros((B, P), out.dtype)
        dc = xp.zeros((B, H), out.dtype)
        for t, bs in reversed(_with_sizes(T, B, self.batch_sizes, self.reverse)):
            dh += g[t, :, :P]
            dc += g[t, :, P:]
            a, da, tc = gates[t, :bs], dA[t, :bs], TC[t, :bs]
            i, f, gg, o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
            if wr is None:
                dhc = dh[:bs]
            else:
                dHs[t, :bs] = dh[:bs]
                dhc = np.matmul(dh[:bs], wr)
            dcc = dc[:bs]
            do = da[:, 3 * H:]
            np.multiply(dhc, tc, out=do)
            tc2 = tc * tc
            np.subtract(1.0, tc2, out=tc2)
            tc2 *= o
            tc2 *= dhc
            dcc += tc2
            do *= o
            do *= 1.0 - o
            di, df, dg = da[:, :H], da[:, H:2 * H], da[:, 2 * H:3 * H]
            np.multiply(dcc, gg, out=di)
            di *= i
            di *= 1.0 - i
            np.multiply(dcc, cprev[t, :bs], out=df)
            df *= f
            df *= 1.0 - f
            np.multiply(dcc, i, out=dg)
            dg *= 1.0 - gg * gg
            dcc *= f
            dh[:bs] = np.matmul(da, wh)
        dx, dw_ih, dw_hh, db = _weight_grads(
            dA, x._data, hprev, w_ih._data, (needs[0], needs[3], needs[4], needs[5] or needs[6]))
        dw_hr = None
        if wr is not None and needs[7]:
            dw_hr = np.matmul(dHs.reshape(T * B, P).T, HC.reshape(T * B, H))
        return _wrap_all((dx, dh if needs[1] else None, dc if needs[2] else None, dw_ih, dw_hh,
                          *_two(db, needs[5:7]), dw_hr))


# ---- the same layers with ordinary ops (create_graph) ------------------------------------------
def _layer_by_ops(mode: str, x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, batch_sizes, reverse):
    """The layer written step by step with glasstorch ops: what the fused nodes compute, as a
    graph that can itself be differentiated (used for ``create_graph=True``)."""
    T, B = x.shape[0], x.shape[1]
    xw = linear(x, w_ih, b_ih)  # (T, B, G)
    h, c = h0, c0
    hs, cs = [None] * T, [None] * T
    for t, bs in _with_sizes(T, B, batch_sizes, reverse):
        hp = h[:bs] if bs < B else h
        gh = linear(hp, w_hh, b_hh)
        a = xw[t, :bs] if bs < B else xw[t]
        if mode == "GRU":
            H = hp.shape[1]
            r = (a[:, :H] + gh[:, :H]).sigmoid()
            z = (a[:, H:2 * H] + gh[:, H:2 * H]).sigmoid()
            n = (a[:, 2 * H:] + r * gh[:, 2 * H:]).tanh()
            hn = n + z * (hp - n)
        elif mode == "LSTM":
            H = c.shape[1]
            a = a + gh
            i, f = a[:, :H].sigmoid(), a[:, H:2 * H].sigmoid()
            gg, o = a[:, 2 * H:3 * H].tanh(), a[:, 3 * H:].sigmoid()
            cn = f * (c[:bs] if bs < B else c) + i * gg
            hn = o * cn.tanh()
            if w_hr is not None:
                hn = linear(hn, w_hr)
            c = cat([cn, c[bs:]]) if bs < B else cn
            cs[t] = c
        else:
            pre = a + gh
            hn = pre.tanh() if mode == "RNN_TANH" else pre.relu()
        h = cat([hn, h[bs:]]) if bs < B else hn
        hs[t] = h
    out = stack(hs)
    return cat([out, stack(cs)], 2) if mode == "LSTM" else out


def _graph_backward(node, grad, mode, x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr):
    """Recompute the layer with ordinary ops and differentiate it, keeping the graph."""
    from ...autograd.engine import grad as autograd_grad

    inputs = (x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr)
    if mode != "LSTM":
        inputs = (x, h0, w_ih, w_hh, b_ih, b_hh)
    wanted = [t for t, need in zip(inputs, node.needs_input_grad) if need]
    out = _layer_by_ops(mode, x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, node.batch_sizes,
                        node.reverse)
    got = iter(autograd_grad(out, wanted, grad, create_graph=True, allow_unused=True,
                             materialize_grads=True))
    return tuple(next(got) if need else None for need in node.needs_input_grad)


__all__: list = []  # torch.nn.functional has no recurrent functions: the modules call these
