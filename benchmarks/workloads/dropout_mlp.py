"""(e) Dropout MLP 784-256-256-10 (d2l 5.6: dropout 0.2 then 0.5) on Fashion-MNIST, one epoch,
SGD lr 0.5."""

import torch
from _fashion import train_one_epoch
from torch import nn

torch.manual_seed(0)
net = nn.Sequential(
    nn.Flatten(),
    nn.Linear(784, 256), nn.ReLU(), nn.Dropout(0.2),
    nn.Linear(256, 256), nn.ReLU(), nn.Dropout(0.5),
    nn.Linear(256, 10),
)
train_one_epoch(net, lr=0.5)
