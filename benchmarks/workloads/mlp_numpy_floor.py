"""The floor for (d): the 784-256-10 MLP written by hand in NumPy, no framework at all.

Same data, same batch size (256, reshuffled each epoch), same initialisation rule as nn.Linear
(uniform ±1/sqrt(fan_in)), softmax cross-entropy, plain SGD with lr 0.1, float32 throughout.
Forward, backward and update are each a few NumPy calls: what is left is the matrix products
and a handful of elementwise passes, which no NumPy-based framework can go below.
"""

import time

import numpy as np
from _bench import fashion_mnist, report

X, y = fashion_mnist(train=True)
X_test, y_test = fashion_mnist(train=False)
rng = np.random.default_rng(0)


def init_linear(fan_in: int, fan_out: int) -> tuple[np.ndarray, np.ndarray]:
    bound = np.float32(1 / np.sqrt(fan_in))
    weight = rng.uniform(-bound, bound, (fan_in, fan_out)).astype(np.float32)
    bias = rng.uniform(-bound, bound, fan_out).astype(np.float32)
    return weight, bias


W1, b1 = init_linear(784, 256)
W2, b2 = init_linear(256, 10)
lr = np.float32(0.1)

start = time.perf_counter()
total, count = 0.0, 0
order = rng.permutation(len(X))
for i in range(0, len(X), 256):
    idx = order[i:i + 256]
    xb, yb = X[idx], y[idx]
    n = len(yb)
    # forward
    h = xb @ W1
    h += b1
    np.maximum(h, 0, out=h)
    logits = h @ W2
    logits += b2
    logits -= logits.max(axis=1, keepdims=True)
    exp = np.exp(logits)
    probs = exp / exp.sum(axis=1, keepdims=True)
    total += float(-np.log(probs[np.arange(n), yb]).sum())
    count += n
    # backward of mean cross-entropy
    grad_logits = probs
    grad_logits[np.arange(n), yb] -= 1
    grad_logits /= n
    grad_W2 = h.T @ grad_logits
    grad_b2 = grad_logits.sum(axis=0)
    grad_h = grad_logits @ W2.T
    grad_h *= h > 0
    grad_W1 = xb.T @ grad_h
    grad_b1 = grad_h.sum(axis=0)
    # SGD, in place
    for param, grad in ((W1, grad_W1), (b1, grad_b1), (W2, grad_W2), (b2, grad_b2)):
        grad *= lr
        param -= grad
seconds = time.perf_counter() - start

predicted = (np.maximum(X_test @ W1 + b1, 0) @ W2 + b2).argmax(axis=1)
report(seconds, train_loss=total / count, test_acc=float((predicted == y_test).mean()))
