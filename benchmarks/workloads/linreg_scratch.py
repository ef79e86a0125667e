"""(a) Linear regression from scratch (seed000, d2l 3.2): batch 10, 3 epochs of 1,000 samples.

The whole training (fresh parameters, 3 epochs, the per-epoch full-data loss) is repeated 10 times
in the measured region. Each step is about fifteen tiny tensor operations (index, matmul, add,
reshape, sub, pow, div, mean, backward, two in-place updates, two zero_), so this measures per-op
overhead. The data and the shuffles are made with NumPy and `random` from fixed seeds, so both
libraries compute the same thing and their final losses agree to float32 rounding.
"""

import random
import time

import numpy as np
import torch
from _bench import quick, report

REPEATS = 1 if quick() else 10
rng = np.random.default_rng(0)
features_np = rng.normal(0, 1, size=(1000, 2)).astype(np.float32)
labels_np = (features_np @ np.array([2, -3.4], dtype=np.float32) + np.float32(4.2)
             + rng.normal(0, 0.01, 1000).astype(np.float32))
w_init = rng.normal(0, 0.01, size=(2, 1)).astype(np.float32)


def data_iter(batch_size, features, labels):
    num_features = len(features)
    indices = list(range(num_features))
    random.shuffle(indices)
    for i in range(0, num_features, batch_size):
        batch_indices = torch.tensor(indices[i:min(i + batch_size, num_features)])
        yield features[batch_indices], labels[batch_indices]


def linear(X, w, b):
    return torch.matmul(X, w) + b


def squared_error(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params, lr):
    with torch.no_grad():
        for param in params:
            param -= param.grad * lr
            param.grad.zero_()


start = time.perf_counter()
for repeat in range(REPEATS):
    random.seed(repeat)
    X, y = torch.tensor(features_np), torch.tensor(labels_np)
    w = torch.tensor(w_init, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    for _epoch in range(3):
        for feature, label in data_iter(10, X, y):
            loss = squared_error(linear(feature, w, b), label)
            loss.mean().backward()
            sgd([w, b], 0.03)
        with torch.no_grad():
            final_loss = float(squared_error(linear(X, w, b), y).mean())
seconds = time.perf_counter() - start
report(seconds, loss=final_loss)
