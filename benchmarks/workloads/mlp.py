"""(d) MLP 784-256-10 with ReLU on Fashion-MNIST, one epoch, SGD lr 0.1.

Its NumPy floor (the same network written by hand) is `mlp_numpy_floor.py`.
"""

import torch
from _fashion import train_one_epoch
from torch import nn

torch.manual_seed(0)
net = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
train_one_epoch(net, lr=0.1)
