"""(c) Softmax regression on Fashion-MNIST: Flatten + Linear(784, 10), one epoch, SGD lr 0.1."""

import torch
from _fashion import train_one_epoch
from torch import nn

torch.manual_seed(0)
train_one_epoch(nn.Sequential(nn.Flatten(), nn.Linear(784, 10)), lr=0.1)
