"""One epoch of Fashion-MNIST training, shared by workloads (c), (d) and (e).

`DataLoader(TensorDataset(X, y), 256, shuffle=True)`, `nn.CrossEntropyLoss`, `optim.SGD`: the
measured region is the epoch (loader creation included); the test accuracy is computed after it,
outside the timing, so each side's result can be checked.
"""

import time

import torch
from _bench import fashion_mnist, report
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def train_one_epoch(net: nn.Module, lr: float) -> None:
    X_np, y_np = fashion_mnist(train=True)
    X_test, y_test = fashion_mnist(train=False)
    X, y = torch.from_numpy(X_np), torch.from_numpy(y_np)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)

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
    with torch.no_grad():
        predicted = net(torch.from_numpy(X_test)).argmax(dim=1)
        accuracy = (predicted == torch.from_numpy(y_test)).float().mean().item()
    report(seconds, train_loss=total / count, test_acc=accuracy)
