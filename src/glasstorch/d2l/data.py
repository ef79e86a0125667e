"""Data helpers of d2l: synthetic regression data, array loaders and Fashion-MNIST loaders.

``load_data_fashion_mnist(batch_size)`` is the book's one-liner for the two Fashion-MNIST
``DataLoader`` objects (training set shuffled, test set in order). It reads the dataset through
``torchvision.datasets.FashionMNIST`` (``glasstorch.vision``), rooted at ``'../data'``: that class
looks in ``../data/FashionMNIST/raw``, then in the Debian package ``dataset-fashion-mnist``'s
folder, and only then downloads.
"""

from __future__ import annotations

import glasstorch as torch
from glasstorch.utils import data

__all__ = ["synthetic_data", "load_array", "get_fashion_mnist_labels", "get_dataloader_workers",
           "load_data_fashion_mnist"]

_FASHION_MNIST_LABELS = ("t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt",
                         "sneaker", "bag", "ankle boot")


def synthetic_data(w, b, num_examples: int):
    """Noisy linear data ``y = X w + b + ε``, ``X ~ N(0, 1)``, ``ε ~ N(0, 0.01²)``.

    ``w`` is a 1-d tensor of ``d`` weights and ``b`` a number. Returns ``X`` of shape
    ``(num_examples, d)`` and ``y`` of shape ``(num_examples, 1)``.
    """
    X = torch.normal(0, 1, (num_examples, len(w)))
    y = torch.matmul(X, w) + b
    y += torch.normal(0, 0.01, y.shape)
    return X, y.reshape((-1, 1))


def load_array(data_arrays, batch_size: int, is_train: bool = True):
    """A ``DataLoader`` over tensors of equal length (features, labels, ...).

    Each batch is a list with one slice of every tensor; ``is_train=True`` reshuffles each epoch.
    """
    dataset = data.TensorDataset(*data_arrays)
    return data.DataLoader(dataset, batch_size, shuffle=is_train)


def get_fashion_mnist_labels(labels) -> list[str]:
    """The text names of Fashion-MNIST class indices (a tensor or any iterable of ints)."""
    return [_FASHION_MNIST_LABELS[int(i)] for i in labels]


def get_dataloader_workers() -> int:
    """How many worker processes the Fashion-MNIST loaders use: 0 (load in this process).

    The book uses 4 worker processes, which pay off when each image is decoded one by one. The
    glasstorch vision datasets hold a whole split in one array and build a batch with one
    vectorised operation, so sending batches between processes costs more than it saves.
    Measured on the 2-core machine glasstorch is developed on, one epoch of the training set
    (batch 256, ``ToTensor``) takes 0.06-0.14 s with 0 workers, 0.2-0.8 s with 2 and 0.4-0.7 s
    with 4 (which also warns: more workers than cores); with ``Resize(64)``, 6.7-8.6 s with 0
    workers against 7.9-11.7 s with 2. Pass ``num_workers=`` to your own ``DataLoader`` to try
    more on a bigger machine.
    """
    return 0


def load_data_fashion_mnist(batch_size: int, resize=None):
    """Fashion-MNIST as ``(train_iter, test_iter)`` DataLoaders of ``(X, y)`` batches.

    ``X`` is float32 of shape ``(batch_size, 1, 28, 28)`` with values in [0, 1] (or
    ``resize × resize`` pixels when ``resize`` is given, resized before ``ToTensor``); ``y`` holds
    int64 class indices. The data root is ``'../data'`` as in the book.
    """
    from glasstorch.vision import datasets, transforms

    trans = [transforms.ToTensor()]
    if resize:
        trans.insert(0, transforms.Resize(resize))
    trans = transforms.Compose(trans)
    mnist_train = datasets.FashionMNIST(root="../data", train=True, transform=trans,
                                        download=True)
    mnist_test = datasets.FashionMNIST(root="../data", train=False, transform=trans,
                                       download=True)
    return (data.DataLoader(mnist_train, batch_size, shuffle=True,
                            num_workers=get_dataloader_workers()),
            data.DataLoader(mnist_test, batch_size, shuffle=False,
                            num_workers=get_dataloader_workers()))
