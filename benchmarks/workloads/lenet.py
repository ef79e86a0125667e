"""(g) d2l 6.6's LeNet-5 on Fashion-MNIST, one epoch: sigmoid, average pooling, Xavier init,
SGD lr 0.9, batch 256, cross-entropy.

Images are (N, 1, 28, 28). The measured region is the epoch (loader creation included); the test
accuracy is computed after it, outside the timing, in batches of 1,000.
"""

import torch
from _fashion import train_one_epoch
from torch import nn

torch.manual_seed(0)
net = nn.Sequential(
    nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(),
    nn.AvgPool2d(kernel_size=2, stride=2),
    nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(),
    nn.AvgPool2d(kernel_size=2, stride=2),
    nn.Flatten(),
    nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(),
    nn.Linear(120, 84), nn.Sigmoid(),
    nn.Linear(84, 10),
)
for layer in net:
    if type(layer) in (nn.Linear, nn.Conv2d):
        nn.init.xavier_uniform_(layer.weight)

train_one_epoch(net, lr=0.9, image_shape=(1, 28, 28), test_batch=1000)
