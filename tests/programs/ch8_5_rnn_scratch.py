"""d2l 8.5: a recurrent neural network from scratch, trained on The Time Machine with train_ch8.

The weights start from NumPy (seeded), so the run is the same on any library.
"""

import math
import random

import numpy as np
import torch
from d2l import torch as d2l
from torch.nn import functional as F

random.seed(0)
batch_size, num_steps = 32, 35
train_iter, vocab = d2l.load_data_time_machine(batch_size, num_steps)

print(F.one_hot(torch.tensor([0, 2]), len(vocab)))
X = torch.arange(10).reshape((2, 5))
print(F.one_hot(X.T, 28).shape)

rng = np.random.default_rng(0)


def get_params(vocab_size, num_hiddens, device):
    num_inputs = num_outputs = vocab_size

    def normal(shape):
        return torch.tensor(rng.normal(0, 0.01, shape).astype(np.float32), device=device)

    W_xh = normal((num_inputs, num_hiddens))
    W_hh = normal((num_hiddens, num_hiddens))
    b_h = torch.zeros(num_hiddens, device=device)
    W_hq = normal((num_hiddens, num_outputs))
    b_q = torch.zeros(num_outputs, device=device)
    params = [W_xh, W_hh, b_h, W_hq, b_q]
    for param in params:
        param.requires_grad_(True)
    return params


def init_rnn_state(batch_size, num_hiddens, device):
    return (torch.zeros((batch_size, num_hiddens), device=device), )


def rnn(inputs, state, params):
    W_xh, W_hh, b_h, W_hq, b_q = params
    H, = state
    outputs = []
    for X in inputs:
        H = torch.tanh(torch.mm(X, W_xh) + torch.mm(H, W_hh) + b_h)
        Y = torch.mm(H, W_hq) + b_q
        outputs.append(Y)
    return torch.cat(outputs, dim=0), (H,)


num_hiddens = 128
net = d2l.RNNModelScratch(len(vocab), num_hiddens, d2l.try_gpu(), get_params,
                          init_rnn_state, rnn)
state = net.begin_state(X.shape[0], d2l.try_gpu())
Y, new_state = net(X.to(d2l.try_gpu()), state)
print(Y.shape, len(new_state), new_state[0].shape)
print(d2l.predict_ch8("time traveller ", 10, net, vocab, d2l.try_gpu()))

num_epochs, lr = 10, 1
d2l.train_ch8(net, train_iter, vocab, lr, num_epochs, d2l.try_gpu())

# the loss of one batch, to more digits than the perplexity shows
X, Y = next(iter(train_iter))
y_hat, _ = net(X, net.begin_state(X.shape[0], d2l.try_gpu()))
loss = F.cross_entropy(y_hat, Y.T.reshape(-1))
print(f"batch perplexity {math.exp(loss.item()):.3f}")
