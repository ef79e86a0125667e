"""Recurrent layers: ``RNN``, ``GRU``, ``LSTM`` over whole sequences, and the single-step cells
``RNNCell``, ``GRUCell``, ``LSTMCell``.

A layer holds, for each of its ``num_layers`` stacked layers and each direction, the weights
torch names ``weight_ih_l{k}``, ``weight_hh_l{k}``, ``bias_ih_l{k}``, ``bias_hh_l{k}`` (and
``weight_hr_l{k}`` for an LSTM with ``proj_size``), with a ``_reverse`` suffix for the backward
direction of a bidirectional layer: the same names, shapes and order as torch, so a state dict
saved by PyTorch loads as it is. The equations, and the one-node-per-layer backward through
time, are in ``nn/functional/rnn.py``.

Shapes (``batch_first=False``; with ``batch_first=True`` input and output are (B, T, ·)):

- input (T, B, input_size), or (T, input_size) for one unbatched sequence, or a
  ``PackedSequence``;
- h_0 (D * num_layers, B, H_out), D = 2 if bidirectional else 1, H_out = proj_size or
  hidden_size; an LSTM also takes c_0 (D * num_layers, B, hidden_size): ``(h_0, c_0)``;
- output (T, B, D * H_out): the last layer's hidden state at every step (both directions side by
  side); h_n (and c_n) the final states of every layer and direction, in h_0's layout.
"""

from __future__ import annotations

import math
import numbers
import warnings

from ... import _creation
from ..._tensor import Tensor
from ...ops.join import cat, stack
from .. import functional as F
from .. import init
from ..functional import rnn as R
from ..parameter import Parameter
from ..utils.rnn import PackedSequence, pack_padded_sequence, padded_from_packed
from .module import Module

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "GRU": 3, "LSTM": 4}


class RNNBase(Module):
    """What ``RNN``, ``GRU`` and ``LSTM`` share: the parameters, their checks, the printed form
    and the loop over layers and directions. ``mode`` is ``"RNN_TANH"``, ``"RNN_RELU"``,
    ``"GRU"`` or ``"LSTM"``."""

    __constants__ = ["mode", "input_size", "hidden_size", "num_layers", "bias", "batch_first",
                     "dropout", "bidirectional", "proj_size"]

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device=None,
                 dtype=None) -> None:
        super().__init__()
        _check_settings(input_size, hidden_size, num_layers, bias, batch_first, dropout,
                        proj_size)
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        directions = 2 if bidirectional else 1
        gate_size = _GATES[mode] * hidden_size
        real_hidden = proj_size if proj_size > 0 else hidden_size
        self._flat_weights_names: list = []
        self._all_weights: list = []
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else real_hidden * directions
            for direction in range(directions):
                suffix = f"_l{layer}" + ("_reverse" if direction == 1 else "")
                shapes = [("weight_ih", (gate_size, layer_input)),
                          ("weight_hh", (gate_size, real_hidden))]
                if bias:
                    shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                if proj_size > 0:
                    shapes += [("weight_hr", (proj_size, hidden_size))]
                names = []
                for kind, shape in shapes:
                    name = kind + suffix
                    setattr(self, name, Parameter(
                        _creation.empty(shape, device=device, dtype=dtype)))
                    names.append(name)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight and bias U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), as torch does."""
        bound = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound)

    @property
    def _flat_weights(self) -> list:
        return [getattr(self, name, None) for name in self._flat_weights_names]

    @property
    def all_weights(self) -> list:
        """The parameters as a list per layer and direction: ``[[w_ih, w_hh, b_ih, b_hh], ...]``."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def flatten_parameters(self) -> None:
        """Kept for compatibility: torch packs the weights into one buffer for cuDNN; here
        there is nothing to do."""

    def _layer_weights(self, k: int) -> tuple:
        """(w_ih, w_hh, b_ih, b_hh, w_hr) of layer-direction ``k`` (None where absent)."""
        names = self._all_weights[k]
        ws = [getattr(self, n) for n in names]
        w_ih, w_hh = ws[0], ws[1]
        b_ih, b_hh = (ws[2], ws[3]) if self.bias else (None, None)
        w_hr = ws[-1] if self.proj_size > 0 else None
        return w_ih, w_hh, b_ih, b_hh, w_hr

    # ---- checks (torch's, with its messages) ---------------------------------------------------
    def check_input(self, input: Tensor, batch_sizes) -> None:
        weight = getattr(self, self._flat_weights_names[0])
        if input.dtype != weight.dtype:
            raise ValueError(
                f"RNN input dtype ({input.dtype}) does not match weight dtype ({weight.dtype}). "
                f"Convert input: input.to({weight.dtype}), or convert model: "
                f"model.to({input.dtype})")
        expected_dim = 2 if batch_sizes is not None else 3
        if input.dim() != expected_dim:
            raise RuntimeError(f"input must have {expected_dim} dimensions, got {input.dim()}")
        if self.input_size != input.shape[-1]:
            raise RuntimeError(
                f"input.size(-1) must be equal to input_size. Expected {self.input_size}, got "
                f"{input.shape[-1]}")

    def get_expected_hidden_size(self, input: Tensor, batch_sizes) -> tuple:
        if batch_sizes is not None:
            batch = int(batch_sizes[0])
        else:
            batch = input.shape[0] if self.batch_first else input.shape[1]
        directions = 2 if self.bidirectional else 1
        size = self.proj_size if self.proj_size > 0 else self.hidden_size
        return (self.num_layers * directions, batch, size)

    def check_hidden_size(self, hx: Tensor, expected_hidden_size: tuple,
                          msg: str = "Expected hidden size {}, got {}") -> None:
        if tuple(hx.shape) != tuple(expected_hidden_size):
            raise RuntimeError(msg.format(expected_hidden_size, list(hx.shape)))

    def check_forward_args(self, input: Tensor, hidden: Tensor, batch_sizes) -> None:
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden, self.get_expected_hidden_size(input, batch_sizes))

    def permute_hidden(self, hx, permutation):
        if permutation is None:
            return hx
        return hx.index_select(1, permutation)

    # ---- the forward ---------------------------------------------------------------------------
    def _zeros(self, batch: int, size: int, like: Tensor) -> Tensor:
        directions = 2 if self.bidirectional else 1
        return _creation.zeros(self.num_layers * directions, batch, size, dtype=like.dtype,
                               device=like.device)

    def _prepare(self, input, hx):
        """Read the input as (T, B, I) plus batch sizes (or None), and check it and the state
        as torch does. Returns (x, hx, batch_sizes, packed, unbatched)."""
        if isinstance(input, PackedSequence):
            data, sizes_t, sorted_indices, _ = input
            batch_sizes = [int(b) for b in sizes_t._data]
            if hx is None:
                hx = self._default_state(batch_sizes[0], data)
            else:
                hx = self._permute_state(hx, sorted_indices)
            self._check_args(data, hx, batch_sizes)
            x = padded_from_packed(data, batch_sizes, len(batch_sizes))
            return x, hx, batch_sizes, True, False
        if not isinstance(input, Tensor):
            raise _not_a_tensor(input, type(self).__name__, "a Tensor or a PackedSequence")
        if input.dim() not in (2, 3):
            raise ValueError(self._dims_message(input.dim()))
        unbatched = input.dim() == 2
        batch_dim = 0 if self.batch_first else 1
        if unbatched:
            input = input.unsqueeze(batch_dim)
        hx = self._state_dims(hx, unbatched)
        batch = input.shape[batch_dim]
        if hx is None:
            hx = self._default_state(batch, input)
        self._check_args(input, hx, None)
        x = input.transpose(0, 1) if self.batch_first else input
        return x, hx, None, False, unbatched

    def _dims_message(self, ndim: int) -> str:
        name = "RNN" if self.mode.startswith("RNN") else self.mode
        tail = "tensor instead" if name == "RNN" else "instead"
        return f"{name}: Expected input to be 2D or 3D, got {ndim}D {tail}"

    def _state_dims(self, hx, unbatched: bool):
        if hx is None:
            return None
        if unbatched:
            if hx.dim() != 2:
                raise RuntimeError(
                    f"For unbatched 2-D input, hx should also be 2-D but got {hx.dim()}-D tensor")
            return hx.unsqueeze(1)
        if hx.dim() != 3:
            raise RuntimeError(
                f"For batched 3-D input, hx should also be 3-D but got {hx.dim()}-D tensor")
        return hx

    def _default_state(self, batch: int, like: Tensor):
        size = self.proj_size if self.proj_size > 0 else self.hidden_size
        return self._zeros(batch, size, like)

    def _permute_state(self, hx, permutation):
        return self.permute_hidden(hx, permutation)

    def _check_args(self, input, hx, batch_sizes) -> None:
        self.check_forward_args(input, hx, batch_sizes)

    def _run(self, x: Tensor, h0: Tensor, c0: Tensor | None, batch_sizes):
        """All layers and directions: (output (T, B, D*H_out), h_n, c_n or None)."""
        directions = 2 if self.bidirectional else 1
        P = self.proj_size if self.proj_size > 0 else self.hidden_size
        T = x.shape[0]
        if T == 0:
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
        layer_input = x
        h_last, c_last = [], []
        for layer in range(self.num_layers):
            if layer > 0 and self.dropout > 0 and self.training:
                layer_input = F.dropout(layer_input, self.dropout, training=True)
            outputs = []
            for direction in range(directions):
                k = layer * directions + direction
                reverse = direction == 1
                w_ih, w_hh, b_ih, b_hh, w_hr = self._layer_weights(k)
                if self.mode == "LSTM":
                    y = R.lstm_layer(layer_input, h0[k], c0[k], w_ih, w_hh, b_ih, b_hh, w_hr,
                                     batch_sizes, reverse)
                    states = y[0 if reverse else T - 1]
                    h_last.append(states[:, :P])
                    c_last.append(states[:, P:])
                    y = y[:, :, :P]
                elif self.mode == "GRU":
                    y = R.gru_layer(layer_input, h0[k], w_ih, w_hh, b_ih, b_hh, batch_sizes,
                                    reverse)
                    h_last.append(y[0 if reverse else T - 1])
                else:
                    y = R.rnn_layer(layer_input, h0[k], w_ih, w_hh, b_ih, b_hh,
                                    "tanh" if self.mode == "RNN_TANH" else "relu", batch_sizes,
                                    reverse)
                    h_last.append(y[0 if reverse else T - 1])
                outputs.append(y)
            layer_input = outputs[0] if directions == 1 else cat(outputs, 2)
        return layer_input, stack(h_last), (stack(c_last) if c_last else None)

    def _finish(self, out: Tensor, input, batch_sizes, packed: bool, unbatched: bool):
        """The output in the input's form: packed again, batch first, or unbatched."""
        if packed:
            data = pack_padded_sequence(out, _lengths(batch_sizes)).data
            return PackedSequence(data, input.batch_sizes, input.sorted_indices,
                                  input.unsorted_indices)
        if self.batch_first:
            out = out.transpose(0, 1)
        if unbatched:
            out = out.squeeze(0 if self.batch_first else 1)
        return out

    def forward(self, input, hx=None):
        x, hx, batch_sizes, packed, unbatched = self._prepare(input, hx)
        out, h_n, _ = self._run(x, hx, None, batch_sizes)
        out = self._finish(out, input, batch_sizes, packed, unbatched)
        if packed:
            h_n = self.permute_hidden(h_n, input.unsorted_indices)
        elif unbatched:
            h_n = h_n.squeeze(1)
        return out, h_n

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s


def _lengths(batch_sizes: list) -> list:
    """The length of each sequence of a packed batch (longest first) from its batch sizes."""
    return [sum(1 for bs in batch_sizes if bs > b) for b in range(batch_sizes[0])]


def _not_a_tensor(input, layer: str, wanted: str) -> AttributeError:
    """torch's error for an input that is not a tensor (it asks for ``.dim()``), plus the fix."""
    kind = type(input).__name__
    return AttributeError(f"'{kind}' object has no attribute 'dim' ({layer} expects {wanted} "
                          f"as input: make one with torch.tensor(...))")


def _check_settings(input_size, hidden_size, num_layers, bias, batch_first, dropout,
                    proj_size) -> None:
    """torch's constructor checks, in its order."""
    if (not isinstance(dropout, numbers.Number) or isinstance(dropout, bool)
            or not 0 <= dropout <= 1):
        raise ValueError(
            "dropout should be a number in range [0, 1] representing the probability of an "
            "element being zeroed")
    if dropout > 0 and num_layers == 1:
        warnings.warn(
            "dropout option adds dropout after all but last recurrent layer, so non-zero "
            f"dropout expects num_layers greater than 1, but got dropout={dropout} and "
            f"num_layers={num_layers}", stacklevel=4)
    if not isinstance(bias, bool):
        raise TypeError(f"bias should be of type bool, got: {type(bias).__name__}")
    if not isinstance(batch_first, bool):
        raise TypeError(f"batch_first should be of type bool, got: {type(batch_first).__name__}")
    if not isinstance(input_size, int):
        raise TypeError(f"input_size should be of type int, got: {type(input_size).__name__}")
    if input_size <= 0:
        raise ValueError("input_size must be greater than zero")
    if not isinstance(hidden_size, int):
        raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
    if hidden_size <= 0:
        raise ValueError("hidden_size must be greater than zero")
    if num_layers <= 0:
        raise ValueError("num_layers must be greater than zero")
    if proj_size < 0:
        raise ValueError("proj_size should be a positive integer or zero to disable projections")
    if proj_size >= hidden_size:
        raise ValueError("proj_size has to be smaller than hidden_size")


class RNN(RNNBase):
    """A multi-layer Elman RNN: ``h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)``
    (``nonlinearity="relu"``: relu), the hidden states of one layer being the inputs of the next.

    Args:
        input_size (int): features of each input step.
        hidden_size (int): features of the hidden state.
        num_layers (int): stacked layers (default 1).
        nonlinearity (str): ``"tanh"`` (default) or ``"relu"``.
        bias (bool): learn ``b_ih`` and ``b_hh`` (default True).
        batch_first (bool): input and output as (B, T, ·) instead of (T, B, ·) (default False).
        dropout (float): dropout on the outputs of every layer but the last (default 0).
        bidirectional (bool): also run each layer backwards in time (default False).

    Shape: see the module docstring; ``rnn(x, h_0)`` → ``(output, h_n)``.

    Example::

        >>> rnn = nn.RNN(10, 20, 2)
        >>> output, h_n = rnn(torch.randn(5, 3, 10), torch.zeros(2, 3, 20))
        >>> output.shape, h_n.shape
        (torch.Size([5, 3, 20]), torch.Size([2, 3, 20]))
    """

    def __init__(self, *args, **kwargs) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if self.nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self.nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(
                f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__(mode, *args, **kwargs)


class GRU(RNNBase):
    """A multi-layer gated recurrent unit (GRU) network. For each step::

        r = σ(W_ir x + b_ir + W_hr h + b_hr)           reset gate
        z = σ(W_iz x + b_iz + W_hz h + b_hz)           update gate
        n = tanh(W_in x + b_in + r * (W_hn h + b_hn))  candidate state
        h' = (1 - z) * n + z * h

    ``weight_ih_l{k}`` is ``(W_ir | W_iz | W_in)`` stacked: (3 * hidden_size, ·).
    Arguments as ``nn.RNN`` (without ``nonlinearity``).

    Example::

        >>> gru = nn.GRU(10, 20, 2)
        >>> output, h_n = gru(torch.randn(5, 3, 10))
        >>> output.shape, h_n.shape
        (torch.Size([5, 3, 20]), torch.Size([2, 3, 20]))
    """

    def __init__(self, *args, **kwargs) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)


class LSTM(RNNBase):
    """A multi-layer long short-term memory (LSTM) network. For each step::

        i = σ(W_ii x + b_ii + W_hi h + b_hi)    input gate
        f = σ(W_if x + b_if + W_hf h + b_hf)    forget gate
        g = tanh(W_ig x + b_ig + W_hg h + b_hg) candidate cell
        o = σ(W_io x + b_io + W_ho h + b_ho)    output gate
        c' = f * c + i * g
        h' = o * tanh(c')      (with proj_size > 0: h' = W_hr (o * tanh(c')))

    Arguments as ``nn.RNN`` (without ``nonlinearity``), plus ``proj_size`` (default 0): project
    the hidden state to this size (``weight_hr_l{k}``: (proj_size, hidden_size)).

    ``lstm(x, (h_0, c_0))`` → ``(output, (h_n, c_n))``; the state defaults to zeros.

    Example::

        >>> lstm = nn.LSTM(10, 20, 2)
        >>> output, (h_n, c_n) = lstm(torch.randn(5, 3, 10))
        >>> output.shape, h_n.shape, c_n.shape
        (torch.Size([5, 3, 20]), torch.Size([2, 3, 20]), torch.Size([2, 3, 20]))
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__("LSTM", *args, **kwargs)

    def get_expected_cell_size(self, input: Tensor, batch_sizes) -> tuple:
        if batch_sizes is not None:
            batch = int(batch_sizes[0])
        else:
            batch = input.shape[0] if self.batch_first else input.shape[1]
        directions = 2 if self.bidirectional else 1
        return (self.num_layers * directions, batch, self.hidden_size)

    def check_forward_args(self, input: Tensor, hidden: tuple, batch_sizes) -> None:
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden[0], self.get_expected_hidden_size(input, batch_sizes),
                               "Expected hidden[0] size {}, got {}")
        self.check_hidden_size(hidden[1], self.get_expected_cell_size(input, batch_sizes),
                               "Expected hidden[1] size {}, got {}")

    def permute_hidden(self, hx: tuple, permutation) -> tuple:
        if permutation is None:
            return hx
        return hx[0].index_select(1, permutation), hx[1].index_select(1, permutation)

    def _default_state(self, batch: int, like: Tensor):
        size = self.proj_size if self.proj_size > 0 else self.hidden_size
        return self._zeros(batch, size, like), self._zeros(batch, self.hidden_size, like)

    def _state_dims(self, hx, unbatched: bool):
        if hx is None:
            return None
        h, c = hx[0], hx[1]
        want = 2 if unbatched else 3
        if h.dim() != want or c.dim() != want:
            kind = "unbatched 2-D" if unbatched else "batched 3-D"
            raise RuntimeError(
                f"For {kind} input, hx and cx should also be {want}-D but got "
                f"({h.dim()}-D, {c.dim()}-D) tensors")
        return (h.unsqueeze(1), c.unsqueeze(1)) if unbatched else (h, c)

    def forward(self, input, hx=None):
        x, hx, batch_sizes, packed, unbatched = self._prepare(input, hx)
        out, h_n, c_n = self._run(x, hx[0], hx[1], batch_sizes)
        out = self._finish(out, input, batch_sizes, packed, unbatched)
        if packed:
            h_n, c_n = self.permute_hidden((h_n, c_n), input.unsorted_indices)
        elif unbatched:
            h_n, c_n = h_n.squeeze(1), c_n.squeeze(1)
        return out, (h_n, c_n)


# ---- cells: one time step ----------------------------------------------------------------------
class RNNCellBase(Module):
    """What the cells share: ``weight_ih`` (G, input_size), ``weight_hh`` (G, hidden_size),
    ``bias_ih``/``bias_hh`` (G,), with G = ``num_chunks * hidden_size``."""

    __constants__ = ["input_size", "hidden_size", "bias"]

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int,
                 device=None, dtype=None) -> None:
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        G = num_chunks * hidden_size
        self.weight_ih = Parameter(_creation.empty((G, input_size), device=device, dtype=dtype))
        self.weight_hh = Parameter(_creation.empty((G, hidden_size), device=device, dtype=dtype))
        if bias:
            self.bias_ih = Parameter(_creation.empty(G, device=device, dtype=dtype))
            self.bias_hh = Parameter(_creation.empty(G, device=device, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def reset_parameters(self) -> None:
        """Every weight and bias U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), as torch does."""
        bound = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound)

    def _batched(self, input: Tensor, states: tuple, names: tuple):
        """Check dims as torch's cells do; return (input (B, I), states as (B, ·), batched)."""
        cls = type(self).__name__
        if not isinstance(input, Tensor):
            raise _not_a_tensor(input, cls, "a Tensor")
        if input.dim() not in (1, 2):
            raise ValueError(f"{cls}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        for s, name in zip(states, names):
            if s is not None and s.dim() not in (1, 2):
                raise ValueError(
                    f"{cls}: Expected {name} to be 1D or 2D, got {s.dim()}D instead")
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
            states = tuple(None if s is None else s.unsqueeze(0) for s in states)
        return input, states, batched

    def _check_cell(self, input: Tensor, states: tuple) -> None:
        """torch's checks of a cell's input and state sizes (its messages)."""
        if input.shape[1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.shape[1]} "
                               f"expected {self.input_size}")
        for i, s in enumerate(states):
            if s.shape[0] != input.shape[0]:
                raise RuntimeError(f"Input batch size {input.shape[0]} doesn't match hidden{i} "
                                   f"batch size {s.shape[0]}")
            if s.shape[1] != self.hidden_size:
                raise RuntimeError(f"hidden{i} has inconsistent hidden_size: got {s.shape[1]}, "
                                   f"expected {self.hidden_size}")

    def _zeros(self, input: Tensor) -> Tensor:
        return _creation.zeros(input.shape[0], self.hidden_size, dtype=input.dtype,
                               device=input.device)


class RNNCell(RNNCellBase):
    """One step of an Elman RNN: ``h' = tanh(W_ih x + b_ih + W_hh h + b_hh)`` (or relu).

    Shapes: input (B, input_size) or (input_size,), hx (B, hidden_size) or (hidden_size,)
    (zeros if omitted) → h' of hx's shape.

    Example::

        >>> cell = nn.RNNCell(10, 20)
        >>> cell(torch.randn(3, 10)).shape
        torch.Size([3, 20])
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        x, (h,), batched = self._batched(input, (hx,), ("hidden",))
        if h is None:
            h = self._zeros(x)
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        self._check_cell(x, (h,))
        out = R.rnn_layer(x.unsqueeze(0), h, self.weight_ih, self.weight_hh, self.bias_ih,
                          self.bias_hh, self.nonlinearity)[0]
        return out if batched else out.squeeze(0)


class GRUCell(RNNCellBase):
    """One step of a GRU (the equations of ``nn.GRU``).

    Shapes: input (B, input_size) or (input_size,), hx (B, hidden_size) or (hidden_size,)
    (zeros if omitted) → h' of hx's shape.

    Example::

        >>> cell = nn.GRUCell(10, 20)
        >>> cell(torch.randn(3, 10)).shape
        torch.Size([3, 20])
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        x, (h,), batched = self._batched(input, (hx,), ("hidden",))
        if h is None:
            h = self._zeros(x)
        self._check_cell(x, (h,))
        out = R.gru_layer(x.unsqueeze(0), h, self.weight_ih, self.weight_hh, self.bias_ih,
                          self.bias_hh)[0]
        return out if batched else out.squeeze(0)


class LSTMCell(RNNCellBase):
    """One step of an LSTM (the equations of ``nn.LSTM``, without projection).

    Shapes: input (B, input_size) or (input_size,), ``hx = (h, c)`` each (B, hidden_size) or
    (hidden_size,) (zeros if omitted) → ``(h', c')``.

    Example::

        >>> cell = nn.LSTMCell(10, 20)
        >>> h, c = cell(torch.randn(3, 10))
        >>> h.shape, c.shape
        (torch.Size([3, 20]), torch.Size([3, 20]))
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: tuple | None = None) -> tuple:
        states = (None, None) if hx is None else tuple(hx)
        x, (h, c), batched = self._batched(input, states, ("hx[0]", "hx[1]"))
        if h is None:
            h = c = self._zeros(x)
        self._check_cell(x, (h, c))
        H = self.hidden_size
        step = R.lstm_layer(x.unsqueeze(0), h, c, self.weight_ih, self.weight_hh, self.bias_ih,
                            self.bias_hh)[0]
        h, c = step[:, :H], step[:, H:]
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


__all__ = ["RNNBase", "RNN", "GRU", "LSTM", "RNNCellBase", "RNNCell", "GRUCell", "LSTMCell"]
