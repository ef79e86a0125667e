"""d2l 9.1-9.4: GRU, LSTM, a deep GRU and a bidirectional LSTM, concise, with train_ch8.

Every layer's weights start from NumPy (seeded), so the runs are the same on any library.
"""

import random

import numpy as np
import torch
from d2l import torch as d2l
from torch import nn

random.seed(0)
batch_size, num_steps = 32, 35
train_iter, vocab = d2l.load_data_time_machine(batch_size, num_steps)
vocab_size, device = len(vocab), d2l.try_gpu()
rng = np.random.default_rng(0)


def numpy_init(net):
    with torch.no_grad():
        for param in net.parameters():
            bound = 1 / param.shape[-1] ** 0.5
            param.copy_(torch.tensor(rng.uniform(-bound, bound, param.shape).astype(np.float32)))


layers = {
    "gru": nn.GRU(vocab_size, 64),
    "lstm": nn.LSTM(vocab_size, 64),
    "deep gru": nn.GRU(vocab_size, 32, num_layers=2),
    "bidirectional lstm": nn.LSTM(vocab_size, 32, num_layers=2, bidirectional=True),
}
for name, layer in layers.items():
    print(name, layer)
    net = d2l.RNNModel(layer, vocab_size)
    numpy_init(net)
    net = net.to(device)
    state = net.begin_state(device, batch_size=2)
    shapes = [tuple(s.shape) for s in state] if isinstance(state, tuple) else tuple(state.shape)
    print("state:", shapes)
    d2l.train_ch8(net, train_iter, vocab, 1, 10, device)
