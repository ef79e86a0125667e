"""(g) d2l 6.6's LeNet-5 on Fashion-MNIST, one epoch: sigmoid, average pooling, Xavier init,
SGD lr 0.9, batch 256, cross-entropy.

Images are (N, 1, 28, 28). The measured region is the epoch (loader creation included); the test
accuracy is computed after it, outside the timing, in batches of 1,000.
"""

import time

import torch
from _bench import fashion_mnist, report
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

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

X_np, y_np = fashion_mnist(train=True)
X_test_np, y_test_np = fashion_mnist(train=False)
X = torch.from_numpy(X_np).reshape(-1, 1, 28, 28)
y = torch.from_numpy(y_np)
X_test = torch.from_numpy(X_test_np).reshape(-1, 1, 28, 28)
y_test = torch.from_numpy(y_test_np)
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(net.parameters(), lr=0.9)

start = time.perf_counter()
net.train()
total, count = 0.0, 0
for X_batch, y_batch in DataLoader(TensorDataset(X, y), 256, shuffle=True):
    loss = loss_fn(net(X_batch), y_batch)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    total += loss.item() * len(y_batch)
    count += len(y_batch)
seconds = time.perf_counter() - start

net.eval()
right = 0
with torch.no_grad():
    for i in range(0, len(y_test), 1000):
        right += (net(X_test[i:i + 1000]).argmax(dim=1) == y_test[i:i + 1000]).sum().item()
report(seconds, train_loss=total / count, test_acc=right / len(y_test))
