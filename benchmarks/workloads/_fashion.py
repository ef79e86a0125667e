"""One epoch of Fashion-MNIST training, shared by workloads (c), (d), (e) and (g).

`DataLoader(TensorDataset(X, y), 256, shuffle=True)`, `nn.CrossEntropyLoss`, `optim.SGD`: the
measured region is the epoch (loader creation included); the test accuracy is computed after it,
outside the timing, so each side's result can be checked.
"""

import time

import torch
from _bench import fashion_mnist, report
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def train_one_epoch(net: nn.Module, lr: float, image_shape: tuple = (784,),
                    test_batch: int | None = None) -> None:
    """Train ``net`` one epoch on images of ``image_shape`` ((784,) flat, (1, 28, 28) for
    convolutions); the test accuracy is computed in one pass, or ``test_batch`` images at a time."""
    X_np, y_np = fashion_mnist(train=True)
    X_test_np, y_test_np = fashion_mnist(train=False)
    X = torch.from_numpy(X_np).reshape(-1, *image_shape)
    y = torch.from_numpy(y_np)
    X_test = torch.from_numpy(X_test_np).reshape(-1, *image_shape)
    y_test = torch.from_numpy(y_test_np)
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
    step = test_batch or len(y_test)
    right = 0
    with torch.no_grad():
        for i in range(0, len(y_test), step):
            right += (net(X_test[i:i + step]).argmax(dim=1) == y_test[i:i + step]).sum().item()
    report(seconds, train_loss=total / count, test_acc=right / len(y_test))
