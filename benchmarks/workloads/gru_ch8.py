"""(i) d2l's `train_ch8` epoch with `nn.GRU` (8.6 / 9.1): a character-level language model.

num_hiddens 256, batch 32, 35 steps, a 28-character vocabulary, sequential partitioning (the
state carries over between minibatches and is detached, as `train_epoch_ch8` does), one-hot
inputs, `nn.Linear` on every step's output, cross-entropy, d2l's `grad_clipping` (theta 1) and
SGD with lr 1. The tokens are a fixed random stream from NumPy as long as The Time Machine's
(170,580 characters: 152 minibatches), so the run needs no data file; the work per minibatch does
not depend on the text. `RNN_LAYER=LSTM` (or `RNN`) swaps the recurrent layer.
"""

import math
import os
import time

import numpy as np
import torch
from _bench import quick, report
from torch import nn
from torch.nn import functional as F

VOCAB, HIDDENS, BATCH, STEPS = 28, 256, 32, 35
LAYER = os.environ.get("RNN_LAYER", "GRU")
rng = np.random.default_rng(0)
corpus = rng.integers(0, VOCAB, 170_580 if not quick() else 4_000)


def minibatches():
    """d2l's seq_data_iter_sequential with a fixed offset: (X, Y) of shape (BATCH, STEPS)."""
    num_tokens = ((len(corpus) - 1) // BATCH) * BATCH
    xs = corpus[:num_tokens].reshape(BATCH, -1)
    ys = corpus[1:num_tokens + 1].reshape(BATCH, -1)
    for i in range(0, STEPS * (xs.shape[1] // STEPS), STEPS):
        yield torch.tensor(xs[:, i:i + STEPS]), torch.tensor(ys[:, i:i + STEPS])


class RNNModel(nn.Module):
    def __init__(self, rnn_layer, vocab_size):
        super().__init__()
        self.rnn = rnn_layer
        self.vocab_size = vocab_size
        self.linear = nn.Linear(rnn_layer.hidden_size, vocab_size)

    def forward(self, inputs, state):
        X = F.one_hot(inputs.T.long(), self.vocab_size).type(torch.float32)
        Y, state = self.rnn(X, state)
        return self.linear(Y.reshape((-1, Y.shape[-1]))), state


def grad_clipping(net, theta):
    params = [p for p in net.parameters() if p.requires_grad]
    norm = torch.sqrt(sum(torch.sum(p.grad ** 2) for p in params))
    if norm > theta:
        for param in params:
            param.grad[:] *= theta / norm


torch.manual_seed(0)
net = RNNModel(getattr(nn, LAYER)(VOCAB, HIDDENS), VOCAB)
loss_fn = nn.CrossEntropyLoss()
updater = torch.optim.SGD(net.parameters(), 1.0)

start = time.perf_counter()
state, total, count = None, 0.0, 0
for X, Y in minibatches():
    if state is None:
        zeros = torch.zeros((1, BATCH, HIDDENS))
        state = (zeros, zeros.clone()) if LAYER == "LSTM" else zeros
    elif isinstance(state, tuple):
        for s in state:
            s.detach_()
    else:
        state.detach_()
    y = Y.T.reshape(-1)
    y_hat, state = net(X, state)
    loss = loss_fn(y_hat, y.long()).mean()
    updater.zero_grad()
    loss.backward()
    grad_clipping(net, 1)
    updater.step()
    total += float(loss.detach()) * y.numel()
    count += y.numel()
seconds = time.perf_counter() - start
report(seconds, perplexity=math.exp(total / count))
