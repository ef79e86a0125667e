"""d2l 8.6: the concise RNN (nn.RNN inside d2l.RNNModel), trained with train_ch8.

The weights start from NumPy (seeded), so the run is the same on any library.
"""

import random

import numpy as np
import torch
from d2l import torch as d2l
from torch import nn

random.seed(0)
batch_size, num_steps = 32, 35
train_iter, vocab = d2l.load_data_time_machine(batch_size, num_steps)

num_hiddens = 256
rnn_layer = nn.RNN(len(vocab), num_hiddens)
print(rnn_layer)
print([(name, tuple(p.shape)) for name, p in rnn_layer.named_parameters()])

state = torch.zeros((1, batch_size, num_hiddens))
print(state.shape)
X = torch.rand(size=(num_steps, batch_size, len(vocab)))
Y, state_new = rnn_layer(X, state)
print(Y.shape, state_new.shape)

device = d2l.try_gpu()
net = d2l.RNNModel(rnn_layer, vocab_size=len(vocab))
rng = np.random.default_rng(0)
with torch.no_grad():
    for param in net.parameters():
        param.copy_(torch.tensor(rng.uniform(-0.0625, 0.0625, param.shape).astype(np.float32)))
net = net.to(device)
print(d2l.predict_ch8("time traveller", 10, net, vocab, device))

num_epochs, lr = 10, 1
d2l.train_ch8(net, train_iter, vocab, lr, num_epochs, device)
