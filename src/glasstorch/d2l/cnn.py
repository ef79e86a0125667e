"""Helpers of d2l chapters 6-7 (convolutional networks): ``corr2d``, ``train_ch6``, ``Residual``.

- ``corr2d(X, K)``: the 2-D cross-correlation a convolution layer computes, written with tensor
  operations so that gradients flow to ``X`` and ``K`` (6.2);
- ``evaluate_accuracy_gpu(net, data_iter, device=None)``: test accuracy, batches moved to the
  network's device first (6.6);
- ``train_ch6(net, train_iter, test_iter, num_epochs, lr, device)``: the training loop of the
  CNN chapters: Xavier initialisation, SGD, cross-entropy, a live plot, and a final report of
  loss, accuracies and examples per second (6.6);
- ``Residual``: the residual block of ResNet (7.6);
- ``resnet18(num_classes, in_channels=1)``: the slimmed ResNet-18 the book trains on several
  GPUs (12.6), which also trains on one CPU.

``device`` is ``d2l.try_gpu()``: ``device('cuda:0')`` where CuPy sees a GPU, else ``device('cpu')``.
The network and each batch are moved there with ``.to(device)``, as in the book; on a GPU the
running sums of ``Accumulator`` read one number per batch back to the host (``float(...)``), as
the book's code does on PyTorch.
"""

from __future__ import annotations

import glasstorch as torch
from glasstorch import nn
from glasstorch.nn import functional as F

from .animator import Accumulator, Animator, Timer
from .training import accuracy

__all__ = ["corr2d", "evaluate_accuracy_gpu", "train_ch6", "Residual", "resnet18"]


def corr2d(X, K):
    """The 2-D cross-correlation of ``X`` (h, w) with the kernel ``K`` (kh, kw).

    Output ``Y`` has shape ``(h - kh + 1, w - kw + 1)`` and
    ``Y[i, j] = (X[i:i + kh, j:j + kw] * K).sum()``: the kernel slides over the input without
    padding, one step at a time. ``Y`` is float32 (the default dtype) whatever the dtypes of
    ``X`` and ``K``, as in the book.

    The book loops over the output positions; this loops over the kernel's positions instead
    (kh·kw steps, each one multiply-add of a whole shifted slice of ``X``), which gives the same
    sums and the same gradients for ``X`` and ``K`` in far fewer operations.
    """
    if X.dim() != 2 or K.dim() != 2:
        raise RuntimeError(f"corr2d: expected a 2-D input and a 2-D kernel, got shapes "
                           f"{tuple(X.shape)} and {tuple(K.shape)}; for batches and channels "
                           "use nn.functional.conv2d")
    h, w = K.shape
    out_h, out_w = X.shape[0] - h + 1, X.shape[1] - w + 1
    if out_h < 0 or out_w < 0:
        raise RuntimeError(f"corr2d: kernel {tuple(K.shape)} is larger than the input "
                           f"{tuple(X.shape)}; pad the input or use a smaller kernel")
    Y = torch.zeros((out_h, out_w))
    for a in range(h):
        for b in range(w):
            # in place, so Y keeps the default dtype (the book assigns into a zeros tensor)
            Y += X[a:a + out_h, b:b + out_w] * K[a, b]
    return Y


def evaluate_accuracy_gpu(net, data_iter, device=None) -> float:
    """The fraction of examples of ``data_iter`` that ``net`` classifies correctly.

    Each batch ``(X, y)`` is moved to ``device`` first; by default, the device of the network's
    first parameter. ``X`` may also be a list of tensors (models with several inputs). An
    ``nn.Module`` is switched to evaluation mode (dropout off, batch norm on running statistics)
    and left in it.
    """
    if isinstance(net, nn.Module):
        net.eval()
        if not device:
            device = next(iter(net.parameters())).device
    metric = Accumulator(2)  # correct predictions, examples
    with torch.no_grad():
        for X, y in data_iter:
            if isinstance(X, list):
                X = [x.to(device) for x in X]
            else:
                X = X.to(device)
            y = y.to(device)
            metric.add(accuracy(net(X), y), y.numel())
    return metric[0] / metric[1]


def _xavier_init(m) -> None:
    # Only these two exact types, as in the book (a LazyConv2d or a subclass keeps its own init).
    if type(m) in (nn.Linear, nn.Conv2d):
        nn.init.xavier_uniform_(m.weight)


def train_ch6(net, train_iter, test_iter, num_epochs: int, lr: float, device) -> None:
    """Train a classifier with SGD and cross-entropy, plotting loss and accuracies as it goes.

    The weights of every ``nn.Linear`` and ``nn.Conv2d`` are first re-initialised with
    ``nn.init.xavier_uniform_`` (biases keep their default initialisation). Each epoch trains on
    ``train_iter`` (``X`` of shape (batch, channels, height, width), ``y`` (batch,) class indices)
    and then measures the test accuracy with ``evaluate_accuracy_gpu``. The ``Animator`` gets the
    running training loss and accuracy five times per epoch and the test accuracy at its end.
    It ends by printing the last epoch's figures and the training speed::

        training on cpu
        loss 0.469, train acc 0.823, test acc 0.779
        3250.4 examples/sec on cpu

    The speed counts only the training steps (not the test evaluation). Unlike the book, an epoch
    of fewer than five batches does not divide by zero: every batch is then plotted.
    """
    net.apply(_xavier_init)
    print("training on", device)
    net.to(device)
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    loss = nn.CrossEntropyLoss()
    animator = Animator(xlabel="epoch", xlim=[1, num_epochs],
                        legend=["train loss", "train acc", "test acc"])
    timer, num_batches = Timer(), len(train_iter)
    plot_every = max(num_batches // 5, 1)
    for epoch in range(num_epochs):
        metric = Accumulator(3)  # sum of losses, correct predictions, examples
        net.train()
        for i, (X, y) in enumerate(train_iter):
            timer.start()
            optimizer.zero_grad()
            X, y = X.to(device), y.to(device)
            y_hat = net(X)
            l = loss(y_hat, y)
            l.backward()
            optimizer.step()
            with torch.no_grad():
                metric.add(l * X.shape[0], accuracy(y_hat, y), X.shape[0])
            timer.stop()
            train_l = metric[0] / metric[2]
            train_acc = metric[1] / metric[2]
            if (i + 1) % plot_every == 0 or i == num_batches - 1:
                animator.add(epoch + (i + 1) / num_batches, (train_l, train_acc, None))
        test_acc = evaluate_accuracy_gpu(net, test_iter)
        animator.add(epoch + 1, (None, None, test_acc))
    print(f"loss {train_l:.3f}, train acc {train_acc:.3f}, test acc {test_acc:.3f}")
    print(f"{metric[2] * num_epochs / timer.sum():.1f} examples/sec on {str(device)}")


class Residual(nn.Module):
    """The residual block of ResNet: two 3×3 convolutions plus a shortcut from the input.

    ``Y = relu(bn2(conv2(relu(bn1(conv1(X))))) + shortcut(X))``. ``conv1`` has stride
    ``strides``; both keep the size otherwise (padding 1). The shortcut is ``X`` itself, or, with
    ``use_1x1conv=True``, a 1×1 convolution ``conv3`` with the same stride, needed whenever the
    block changes the number of channels or the height and width.

    Shapes: ``(N, input_channels, H, W)`` → ``(N, num_channels, ⌈H / strides⌉, ⌈W / strides⌉)``.
    Submodules (and ``state_dict`` keys) are named ``conv1``, ``conv2``, ``conv3`` (when used),
    ``bn1`` and ``bn2``, as in the book.
    """

    def __init__(self, input_channels: int, num_channels: int, use_1x1conv: bool = False,
                 strides: int = 1) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1,
                               stride=strides)
        self.conv2 = nn.Conv2d(num_channels, num_channels, kernel_size=3, padding=1)
        self.conv3 = (nn.Conv2d(input_channels, num_channels, kernel_size=1, stride=strides)
                      if use_1x1conv else None)
        self.bn1 = nn.BatchNorm2d(num_channels)
        self.bn2 = nn.BatchNorm2d(num_channels)

    def forward(self, X):
        Y = F.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        if self.conv3:
            X = self.conv3(X)
        Y += X
        return F.relu(Y)


def _resnet_stage(in_channels: int, out_channels: int, num_residuals: int,
                  first_block: bool = False):
    """``num_residuals`` Residual blocks; the first halves height and width (unless first_block)
    and changes ``in_channels`` to ``out_channels``."""
    blocks = []
    for i in range(num_residuals):
        if i == 0 and not first_block:
            blocks.append(Residual(in_channels, out_channels, use_1x1conv=True, strides=2))
        else:
            blocks.append(Residual(out_channels, out_channels))
    return nn.Sequential(*blocks)


def resnet18(num_classes: int, in_channels: int = 1):
    """The slightly modified ResNet-18 of d2l 12.6, for small images such as Fashion-MNIST.

    Compared with the ResNet-18 of 7.6, the first convolution is 3×3 with stride 1 (not 7×7 with
    stride 2) and there is no max-pooling after it, so small inputs keep their resolution:

    - ``0``-``2``: Conv2d(in_channels, 64, 3, padding 1), BatchNorm2d(64), ReLU;
    - ``resnet_block1``-``resnet_block4``: two ``Residual`` blocks each, with 64, 128, 256 and
      512 channels; blocks 2-4 start by halving height and width;
    - ``global_avg_pool``: AdaptiveAvgPool2d((1, 1)); ``fc``: Flatten, Linear(512, num_classes).

    Shapes: ``(N, in_channels, H, W)`` → ``(N, num_classes)``; a 28×28 input is 28×28 in block 1,
    14×14, 7×7 and 4×4 in blocks 2-4.
    """
    net = nn.Sequential(nn.Conv2d(in_channels, 64, kernel_size=3, stride=1, padding=1),
                        nn.BatchNorm2d(64), nn.ReLU())
    net.add_module("resnet_block1", _resnet_stage(64, 64, 2, first_block=True))
    net.add_module("resnet_block2", _resnet_stage(64, 128, 2))
    net.add_module("resnet_block3", _resnet_stage(128, 256, 2))
    net.add_module("resnet_block4", _resnet_stage(256, 512, 2))
    net.add_module("global_avg_pool", nn.AdaptiveAvgPool2d((1, 1)))
    net.add_module("fc", nn.Sequential(nn.Flatten(), nn.Linear(512, num_classes)))
    return net
