"""(h) d2l 8.6/9.1's train_ch8 epoch with nn.GRU: a character-level language model on the first
10,000 characters of The Time Machine, num_hiddens 256, batch 32, 35 steps, sequential
partitioning (the state carried over, detached), SGD lr 1, gradients clipped to norm 1.

The text is read from the copy glasstorch ships (plain NumPy, the same tokens on every side). The
measured region is one epoch after one warm-up epoch (about 8 batches each); the metric is the
epoch's perplexity.
"""

import math
import os
import re
import time

import numpy as np
import torch
from _bench import quick, report
from torch import nn
from torch.nn import functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
TEXT = os.path.join(HERE, "..", "..", "src", "glasstorch", "d2l", "data_files", "timemachine.txt")

with open(TEXT) as f:
    chars = list("".join(re.sub("[^A-Za-z]+", " ", line).strip().lower() for line in f))
counts = {}
for c in chars:
    counts[c] = counts.get(c, 0) + 1
idx_to_token = ["<unk>", *sorted(counts, key=lambda c: -counts[c])]
token_to_idx = {t: i for i, t in enumerate(idx_to_token)}
corpus = np.array([token_to_idx[c] for c in chars[:2000 if quick() else 10000]])
vocab_size, batch_size, num_steps, num_hiddens = len(idx_to_token), 32, 35, 256

num_tokens = ((len(corpus) - 1) // batch_size) * batch_size
Xs = corpus[:num_tokens].reshape(batch_size, -1)
Ys = corpus[1:num_tokens + 1].reshape(batch_size, -1)
batches = [(torch.tensor(Xs[:, i:i + num_steps]), torch.tensor(Ys[:, i:i + num_steps]))
           for i in range(0, (Xs.shape[1] // num_steps) * num_steps, num_steps)]

torch.manual_seed(0)
rnn = nn.GRU(vocab_size, num_hiddens)
linear = nn.Linear(num_hiddens, vocab_size)
params = [*rnn.parameters(), *linear.parameters()]
optimizer = torch.optim.SGD(params, lr=1)
loss_fn = nn.CrossEntropyLoss()


def epoch() -> float:
    state, total, count = None, 0.0, 0
    for X, Y in batches:
        if state is None:
            state = torch.zeros((1, batch_size, num_hiddens))
        else:
            state.detach_()
        inputs = F.one_hot(X.T.long(), vocab_size).to(torch.float32)
        out, state = rnn(inputs, state)
        y_hat = linear(out.reshape(-1, num_hiddens))
        y = Y.T.reshape(-1)
        loss = loss_fn(y_hat, y)
        optimizer.zero_grad()
        loss.backward()
        norm = torch.sqrt(sum(torch.sum(p.grad ** 2) for p in params))
        if norm > 1:
            for p in params:
                p.grad.mul_(1 / norm)
        optimizer.step()
        total += loss.item() * y.numel()
        count += y.numel()
    return math.exp(total / count)


epoch()  # warm-up
start = time.perf_counter()
perplexity = epoch()
seconds = time.perf_counter() - start
report(seconds, perplexity=perplexity)
