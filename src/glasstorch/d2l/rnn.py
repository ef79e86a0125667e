"""Recurrent-network helpers of d2l chapters 8-9: a language model from scratch and its training.

- ``RNNModelScratch(vocab_size, num_hiddens, device, get_params, init_state, forward_fn)``: a
  model built from the three functions a section writes by hand (8.5; GRU 9.1, LSTM 9.2);
- ``RNNModel(rnn_layer, vocab_size)``: the same language model around an ``nn.RNN``, ``nn.GRU``
  or ``nn.LSTM`` layer (8.6);
- ``predict_ch8(prefix, num_preds, net, vocab, device)``: greedy generation after a prefix;
- ``grad_clipping(net, theta)``: rescale all gradients together so their norm is at most theta;
- ``train_epoch_ch8`` / ``train_ch8``: the chapter's training loop, which reports perplexity
  and tokens per second and prints generated text.

Both models take ``X`` of shape ``(batch_size, num_steps)`` (token indices) and a state, and
return logits of shape ``(num_steps * batch_size, vocab_size)`` (time-major rows) and the new
state.
"""

from __future__ import annotations

import math

import glasstorch as torch
from glasstorch import nn
from glasstorch.nn import functional as F

from .animator import Accumulator, Animator, Timer
from .training import sgd

__all__ = ["RNNModelScratch", "predict_ch8", "grad_clipping", "train_epoch_ch8", "train_ch8",
           "RNNModel"]


class RNNModelScratch:
    """A recurrent language model from hand-written parts (not an ``nn.Module``).

    - ``get_params(vocab_size, num_hiddens, device)`` returns the list of parameter tensors
      (``requires_grad=True``), kept as ``self.params``;
    - ``init_state(batch_size, num_hiddens, device)`` returns the initial state, a tuple of
      tensors;
    - ``forward_fn(inputs, state, params)`` maps one-hot inputs of shape
      ``(num_steps, batch_size, vocab_size)`` and the state to ``(logits, new_state)``.

    Calling the model one-hot encodes ``X`` (``(batch_size, num_steps)`` indices, transposed to
    time-major first) and runs ``forward_fn``.
    """

    def __init__(self, vocab_size: int, num_hiddens: int, device, get_params, init_state,
                 forward_fn) -> None:
        self.vocab_size, self.num_hiddens = vocab_size, num_hiddens
        self.params = get_params(vocab_size, num_hiddens, device)
        self.init_state, self.forward_fn = init_state, forward_fn

    def __call__(self, X, state):
        X = F.one_hot(X.T, self.vocab_size).type(torch.float32)
        return self.forward_fn(X, state, self.params)

    def begin_state(self, batch_size: int, device):
        """The initial state for a batch of ``batch_size`` sequences."""
        return self.init_state(batch_size, self.num_hiddens, device)


def predict_ch8(prefix: str, num_preds: int, net, vocab, device) -> str:
    """``prefix`` followed by ``num_preds`` tokens the model generates, one at a time.

    The model first reads the prefix (warm-up: its own predictions are ignored), then feeds each
    most likely next token (greedy, no sampling) back as input. Returns the text joined without
    separators (character-level models).
    """
    state = net.begin_state(batch_size=1, device=device)
    outputs = [vocab[prefix[0]]]

    def last_token():
        return torch.tensor([outputs[-1]], device=device).reshape((1, 1))

    for token in prefix[1:]:
        _, state = net(last_token(), state)
        outputs.append(vocab[token])
    for _ in range(num_preds):
        y, state = net(last_token(), state)
        outputs.append(int(y.argmax(dim=1).reshape(1)))
    return "".join(vocab.idx_to_token[i] for i in outputs)


def grad_clipping(net, theta: float) -> None:
    """Scale every gradient by ``theta / norm`` when their joint L2 norm exceeds ``theta``.

    ``net`` is an ``nn.Module`` (its parameters that require gradients) or a model with a
    ``params`` list such as ``RNNModelScratch``. The norm is taken over all gradients together,
    so their directions are kept. (``torch.nn.utils.clip_grad_norm_(params, theta)`` does nearly
    the same, with a small epsilon added to the norm.)
    """
    if isinstance(net, nn.Module):
        params = [p for p in net.parameters() if p.requires_grad]
    else:
        params = net.params
    norm = torch.sqrt(sum(torch.sum(p.grad ** 2) for p in params))
    if norm > theta:
        for param in params:
            param.grad.mul_(theta / norm)


def _detach_state(net, state):
    """Cut the graph at the state carried over from the previous batch (in place, as d2l)."""
    if isinstance(net, nn.Module) and not isinstance(state, tuple):
        state.detach_()  # nn.RNN / nn.GRU: one tensor
    else:
        for s in state:  # nn.LSTM and the scratch models: a tuple
            s.detach_()


def train_epoch_ch8(net, train_iter, loss, updater, device, use_random_iter: bool):
    """One pass over ``train_iter``; returns ``(perplexity, tokens per second)``.

    The state starts at zero for the first batch and, with ``use_random_iter``, for every batch
    (random batches do not continue one another); otherwise it is carried over, detached. The
    loss is the mean cross-entropy per token; gradients are clipped to norm 1 before each step.
    ``updater`` is a ``torch.optim`` optimizer or a function ``updater(batch_size)`` (such as
    ``d2l.sgd`` on ``net.params``), called with ``batch_size=1`` because the loss is a mean.
    """
    state, timer = None, Timer()
    metric = Accumulator(2)  # sum of losses, number of tokens
    for X, Y in train_iter:
        if state is None or use_random_iter:
            state = net.begin_state(batch_size=X.shape[0], device=device)
        else:
            _detach_state(net, state)
        y = Y.T.reshape(-1)
        X, y = X.to(device), y.to(device)
        y_hat, state = net(X, state)
        l = loss(y_hat, y.long()).mean()
        if isinstance(updater, torch.optim.Optimizer):
            updater.zero_grad()
            l.backward()
            grad_clipping(net, 1)
            updater.step()
        else:
            l.backward()
            grad_clipping(net, 1)
            updater(batch_size=1)
        # float32 product, as the book's `l * d2l.size(y)` (detached: float() of it is quiet)
        metric.add(l.detach() * y.numel(), y.numel())
    if metric[1] == 0:
        raise ValueError("train_epoch_ch8: train_iter gave no minibatch (is the corpus shorter "
                         "than batch_size × num_steps tokens?); use more tokens or smaller "
                         "batches")
    return math.exp(metric[0] / metric[1]), metric[1] / timer.stop()


def train_ch8(net, train_iter, vocab, lr: float, num_epochs: int, device,
              use_random_iter: bool = False) -> None:
    """Train a character-level language model (8.5) with SGD at learning rate ``lr``.

    ``net`` is an ``nn.Module`` (trained with ``torch.optim.SGD``) or an ``RNNModelScratch``
    (trained with ``d2l.sgd``). Every 10 epochs it prints 50 characters generated after
    'time traveller' and plots the perplexity; at the end it prints::

        perplexity 1.0, 67212.6 tokens/sec on cpu
        time traveller ...
        traveller ...
    """
    loss = nn.CrossEntropyLoss()
    animator = Animator(xlabel="epoch", ylabel="perplexity", legend=["train"],
                        xlim=[10, num_epochs])
    if isinstance(net, nn.Module):
        updater = torch.optim.SGD(net.parameters(), lr)
    else:
        def updater(batch_size):
            return sgd(net.params, lr, batch_size)

    def predict(prefix):
        return predict_ch8(prefix, 50, net, vocab, device)

    for epoch in range(num_epochs):
        ppl, speed = train_epoch_ch8(net, train_iter, loss, updater, device, use_random_iter)
        if (epoch + 1) % 10 == 0:
            print(predict("time traveller"))
            animator.add(epoch + 1, [ppl])
    print(f"perplexity {ppl:.1f}, {speed:.1f} tokens/sec on {str(device)}")
    print(predict("time traveller"))
    print(predict("traveller"))


class RNNModel(nn.Module):
    """A language model around a recurrent layer (8.6): one-hot input, the layer, a linear output.

    ``rnn_layer`` is an ``nn.RNN``, ``nn.GRU`` or ``nn.LSTM`` with ``input_size = vocab_size``
    (time-major, not ``batch_first``). The output layer ``linear`` maps ``hidden_size`` (twice that
    when bidirectional) to ``vocab_size``. Shapes: ``inputs`` ``(batch_size, num_steps)`` →
    logits ``(num_steps * batch_size, vocab_size)``, plus the layer's new state.
    """

    def __init__(self, rnn_layer, vocab_size: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.rnn = rnn_layer
        self.vocab_size = vocab_size
        self.num_hiddens = self.rnn.hidden_size
        self.num_directions = 2 if self.rnn.bidirectional else 1
        self.linear = nn.Linear(self.num_hiddens * self.num_directions, self.vocab_size)

    def forward(self, inputs, state):
        X = F.one_hot(inputs.T.long(), self.vocab_size).to(torch.float32)
        Y, state = self.rnn(X, state)
        # (num_steps, batch, hiddens) → (num_steps * batch, hiddens) → (…, vocab_size)
        return self.linear(Y.reshape((-1, Y.shape[-1]))), state

    def begin_state(self, device, batch_size: int = 1):
        """Zeros of shape ``(num_directions * num_layers, batch_size, num_hiddens)``; a pair of
        them (hidden and cell state) for an ``nn.LSTM``."""
        shape = (self.num_directions * self.rnn.num_layers, batch_size, self.num_hiddens)
        if isinstance(self.rnn, nn.LSTM):
            return (torch.zeros(shape, device=device), torch.zeros(shape, device=device))
        return torch.zeros(shape, device=device)
