"""(h) d2l 7.6's ResNet-18 on Fashion-MNIST at 96×96, batch 128: a fixed number of SGD steps.

The network is the book's: a 7×7/2 convolution with batch norm, ReLU and a 3×3/2 max pool, then
four stages of two residual blocks (64, 128, 256, 512 channels; each later stage starts with a
stride-2 block whose shortcut is a 1×1 convolution), global average pooling and a linear layer.
Xavier init, SGD lr 0.05, cross-entropy. The images are the first training images, enlarged from
28×28 to 96×96 with NumPy (nearest pixel) before anything is timed, so both libraries see the same
data. One warm-up step, then STEPS timed steps (the measured region); the metric is the mean loss
of the timed steps.

On `GLASSTORCH_BENCH_DEVICE=cuda` (`run.py --device cuda`) it trains on the GPU, the network
moved with `net.to(device)` and each batch with `.to(device)` as d2l does, for 200 steps (issue
14's workload) cycling over 20 distinct batches (so the host holds 2,560 enlarged images, not
25,728); `GLASSTORCH_BENCH_STEPS=N` (`run.py --steps N`) takes another number of steps.
"""

import os
import time

import numpy as np
import torch
from _bench import device, fashion_mnist, quick, report, synchronize
from torch import nn
from torch.nn import functional as F

DEVICE = device()
BATCH, STEPS, SIDE = (16, 2, 96) if quick() else (128, 6 if DEVICE == "cpu" else 200, 96)
STEPS = int(os.environ.get("GLASSTORCH_BENCH_STEPS") or STEPS)
POOL = min(STEPS + 1, 20)  # distinct batches; step i trains on batch i % POOL


class Residual(nn.Module):
    """Two 3×3 convolutions with batch norm; the input added back (through a 1×1 convolution when
    the block changes the channels or the size)."""

    def __init__(self, in_channels, channels, use_1x1conv=False, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, channels, kernel_size=3, padding=1, stride=stride)
        self.conv2 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)
        self.conv3 = (nn.Conv2d(in_channels, channels, kernel_size=1, stride=stride)
                      if use_1x1conv else None)
        self.bn1 = nn.BatchNorm2d(channels)
        self.bn2 = nn.BatchNorm2d(channels)

    def forward(self, X):
        Y = F.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        if self.conv3 is not None:
            X = self.conv3(X)
        Y += X
        return F.relu(Y)


def stage(in_channels, channels, blocks, first=False):
    layers = []
    for i in range(blocks):
        if i == 0 and not first:
            layers.append(Residual(in_channels, channels, use_1x1conv=True, stride=2))
        else:
            layers.append(Residual(channels, channels))
    return nn.Sequential(*layers)


torch.manual_seed(0)
net = nn.Sequential(
    nn.Sequential(nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3), nn.BatchNorm2d(64),
                  nn.ReLU(), nn.MaxPool2d(kernel_size=3, stride=2, padding=1)),
    stage(64, 64, 2, first=True), stage(64, 128, 2), stage(128, 256, 2), stage(256, 512, 2),
    nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(512, 10),
)
for module in net.modules():
    if type(module) in (nn.Linear, nn.Conv2d):
        nn.init.xavier_uniform_(module.weight)

images, labels = fashion_mnist(train=True)
count = BATCH * POOL
rows = np.arange(SIDE) * 28 // SIDE  # nearest source pixel of each enlarged row / column
big = images[:count].reshape(count, 28, 28)[:, rows][:, :, rows].reshape(count, 1, SIDE, SIDE)
X = torch.from_numpy(np.ascontiguousarray(big))
y = torch.from_numpy(labels[:count])
net.to(DEVICE)
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(net.parameters(), lr=0.05)
net.train()


def step(i):
    j = i % POOL
    X_batch = X[j * BATCH:(j + 1) * BATCH].to(DEVICE)
    y_batch = y[j * BATCH:(j + 1) * BATCH].to(DEVICE)
    loss = loss_fn(net(X_batch), y_batch)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


step(0)  # warm-up: first-call costs are not the steady state a learner waits through
synchronize()
start = time.perf_counter()
losses = [step(i) for i in range(1, STEPS + 1)]
synchronize()
seconds = time.perf_counter() - start
report(seconds, train_loss=sum(losses) / len(losses))
