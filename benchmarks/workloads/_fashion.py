"""One epoch of Fashion-MNIST training, shared by workloads (c), (d), (e) and (g).

`DataLoader(TensorDataset(X, y), 256, shuffle=True)`, `nn.CrossEntropyLoss`, `optim.SGD`: the
measured region is the epoch (loader creation included); the test accuracy is computed after it,
outside the timing, so each side's result can be checked.

On `GLASSTORCH_BENCH_DEVICE=cuda` the network is moved to the GPU and each batch follows it
(`X.to(device)`, as d2l's `train_ch6`); the data and the loader stay on the host. One forward
and backward pass on the first batch (no step) comes before the clock starts there, so CUDA's
start-up and the libraries' first-use kernel compilation are not timed.
"""

import time

import torch
from _bench import device, fashion_mnist, report, synchronize
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
    dev = torch.device(device())
    net.to(dev)
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    net.train()
    if dev.type != "cpu":  # warm-up: CUDA context, cuBLAS handles, compiled kernels
        loss_fn(net(X[:256].to(dev)), y[:256].to(dev)).backward()
        optimizer.zero_grad()
        synchronize()

    start = time.perf_counter()
    total, count = 0.0, 0
    for X_batch, y_batch in DataLoader(TensorDataset(X, y), 256, shuffle=True):
        X_batch, y_batch = X_batch.to(dev), y_batch.to(dev)
        loss = loss_fn(net(X_batch), y_batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(y_batch)
        count += len(y_batch)
    synchronize()
    seconds = time.perf_counter() - start

    net.eval()
    step = test_batch or len(y_test)
    right = 0
    with torch.no_grad():
        for i in range(0, len(y_test), step):
            scores = net(X_test[i:i + step].to(dev))
            right += (scores.argmax(dim=1) == y_test[i:i + step].to(dev)).sum().item()
    report(seconds, train_loss=total / count, test_acc=right / len(y_test))
