"""Training helpers of d2l chapters 3-5: linear regression pieces and the softmax training loop.

``train_ch3(net, train_iter, test_iter, loss, num_epochs, updater)`` trains a classifier for
``num_epochs`` epochs, plotting training loss, training accuracy and test accuracy after every epoch
with an ``Animator``. ``updater`` is either a ``torch.optim`` optimizer or a function
``updater(batch_size)`` that steps the parameters (such as ``lambda n: d2l.sgd(params, lr, n)``).

The loss must return one value per example (``reduction='none'``): an optimizer is stepped on
their mean, a hand-written updater on their sum (it divides by the batch size itself).
"""

from __future__ import annotations

import glasstorch as torch
from glasstorch import nn

from .animator import Accumulator, Animator
from .data import get_fashion_mnist_labels
from .plotting import show_images

__all__ = ["linreg", "squared_loss", "sgd", "accuracy", "evaluate_accuracy", "train_epoch_ch3",
           "train_ch3", "predict_ch3", "evaluate_loss", "cpu", "gpu", "num_gpus", "try_gpu",
           "try_all_gpus"]


def linreg(X, w, b):
    """The linear regression model ``X @ w + b``: ``(n, d) @ (d, 1) + (1,)`` → ``(n, 1)``."""
    return torch.matmul(X, w) + b


def squared_loss(y_hat, y):
    """Half the squared error per example, ``(y_hat - y)² / 2`` (``y`` reshaped like ``y_hat``)."""
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params, lr, batch_size) -> None:
    """Minibatch stochastic gradient descent: ``p -= lr * p.grad / batch_size``, then zero grads.

    The loss was summed over the batch, so dividing by ``batch_size`` steps on the mean gradient.
    """
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


def accuracy(y_hat, y) -> float:
    """The number of correct predictions (a float, not a fraction).

    ``y_hat`` is ``(n, classes)`` scores (the predicted class is the largest) or already ``(n,)``
    class indices; ``y`` is ``(n,)`` true class indices.
    """
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())


def evaluate_accuracy(net, data_iter) -> float:
    """The fraction of examples of ``data_iter`` that ``net`` classifies correctly.

    An ``nn.Module`` is switched to evaluation mode first (dropout off) and left in it.
    """
    if isinstance(net, nn.Module):
        net.eval()
    metric = Accumulator(2)  # correct predictions, examples
    with torch.no_grad():
        for X, y in data_iter:
            metric.add(accuracy(net(X), y), y.numel())
    return metric[0] / metric[1]


def train_epoch_ch3(net, train_iter, loss, updater):
    """Train ``net`` for one pass over ``train_iter``; returns (mean loss, training accuracy).

    The loss and accuracy are those of each batch as it was seen (before its update), averaged
    over all examples of the epoch.
    """
    if isinstance(net, nn.Module):
        net.train()
    metric = Accumulator(3)  # sum of losses, correct predictions, examples
    for X, y in train_iter:
        y_hat = net(X)
        l = loss(y_hat, y)
        if isinstance(updater, torch.optim.Optimizer):
            updater.zero_grad()
            l.mean().backward()
            updater.step()
        else:
            l.sum().backward()
            updater(X.shape[0])
        # .item(), not float(): float() of a tensor that requires grad warns (as in torch 2.13)
        metric.add(l.sum().item(), accuracy(y_hat, y), y.numel())
    return metric[0] / metric[2], metric[1] / metric[2]


def train_ch3(net, train_iter, test_iter, loss, num_epochs, updater) -> None:
    """Train ``net`` for ``num_epochs`` epochs, plotting loss and accuracies as it goes.

    As in the book, it ends by checking the result is what the chapter expects of Fashion-MNIST:
    training loss below 0.5 and both accuracies above 0.7 (``AssertionError`` otherwise, with the
    value that missed).
    """
    animator = Animator(xlabel="epoch", xlim=[1, num_epochs], ylim=[0.3, 0.9],
                        legend=["train loss", "train acc", "test acc"])
    for epoch in range(num_epochs):
        train_metrics = train_epoch_ch3(net, train_iter, loss, updater)
        test_acc = evaluate_accuracy(net, test_iter)
        animator.add(epoch + 1, train_metrics + (test_acc,))
    train_loss, train_acc = train_metrics
    # Raised explicitly (not `assert`) so that the checks also hold under `python -O`.
    if not train_loss < 0.5:
        raise AssertionError(f"train_ch3: training loss {train_loss} is not below 0.5")
    if not 0.7 < train_acc <= 1:
        raise AssertionError(f"train_ch3: training accuracy {train_acc} is not above 0.7")
    if not 0.7 < test_acc <= 1:
        raise AssertionError(f"train_ch3: test accuracy {test_acc} is not above 0.7")


def predict_ch3(net, test_iter, n: int = 6) -> None:
    """Show the first ``n`` images of the first test batch titled 'true label / predicted label'
    (returns nothing, as the book's)."""
    X, y = next(iter(test_iter))
    trues = get_fashion_mnist_labels(y)
    preds = get_fashion_mnist_labels(net(X).argmax(axis=1))
    titles = [true + "\n" + pred for true, pred in zip(trues, preds)]
    show_images(X[0:n].reshape((n, 28, 28)), 1, n, titles=titles[0:n])


def evaluate_loss(net, data_iter, loss) -> float:
    """The mean of ``loss`` (which returns one value per example) over all of ``data_iter``."""
    metric = Accumulator(2)  # sum of losses, number of loss values
    with torch.no_grad():
        for X, y in data_iter:
            out = net(X)
            l = loss(out, y.reshape(out.shape))
            metric.add(l.sum(), l.numel())
    return metric[0] / metric[1]


def cpu():
    """The CPU device, ``device('cpu')`` (d2l 5.6, "GPUs")."""
    return torch.device("cpu")


def gpu(i: int = 0):
    """GPU ``i``, ``device('cuda:i')``, whether or not it exists (d2l 5.6)."""
    return torch.device(f"cuda:{i}")


def num_gpus() -> int:
    """How many GPUs there are: ``torch.cuda.device_count()`` (0 without CuPy or a GPU)."""
    return torch.cuda.device_count()


def try_gpu(i: int = 0):
    """GPU ``i`` if it exists, else the CPU (d2l 5.6).

    With CuPy and a GPU (``pip install 'glasstorch[cuda]'``) that is ``device('cuda:0')``, and the
    chapter 6-7 programs that pass it to ``net.to(device)`` and ``X.to(device)`` train there;
    otherwise ``device('cpu')`` and they train on the CPU unchanged.
    """
    if num_gpus() >= i + 1:
        return gpu(i)
    return cpu()


def try_all_gpus():
    """Every GPU, or ``[device('cpu')]`` when there is none (d2l 5.6)."""
    devices = [gpu(i) for i in range(num_gpus())]
    return devices if devices else [cpu()]
