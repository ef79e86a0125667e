"""The GPU floor for (d): the 784-256-10 MLP written by hand in CuPy, no framework at all.

`mlp_numpy_floor.py` with CuPy arrays (`run.py --device cuda` runs it beside glasstorch and
PyTorch CUDA): the same data, batch size, initialisation (drawn on the host with NumPy, then
copied), loss and SGD. As in the workloads, the data stay on the host and each batch is copied
to the GPU as it is used; one warm-up pass compiles CuPy's kernels before the clock starts.
`GLASSTORCH_CUDA_ARRAYS=fake_cupy` runs it on the tests' double of CuPy (a dry run).
"""

import importlib
import os
import time

import numpy as np
from _bench import fashion_mnist, report

cp = importlib.import_module(os.environ.get("GLASSTORCH_CUDA_ARRAYS", "cupy"))

X, y = fashion_mnist(train=True)
X_test, y_test = fashion_mnist(train=False)
rng = np.random.default_rng(0)


def init_linear(fan_in: int, fan_out: int):
    bound = np.float32(1 / np.sqrt(fan_in))
    weight = rng.uniform(-bound, bound, (fan_in, fan_out)).astype(np.float32)
    bias = rng.uniform(-bound, bound, fan_out).astype(np.float32)
    return cp.asarray(weight), cp.asarray(bias)


W1, b1 = init_linear(784, 256)
W2, b2 = init_linear(256, 10)
lr = np.float32(0.1)


def step(xb, yb, train=True):
    n = len(yb)
    h = xb @ W1
    h += b1
    cp.maximum(h, 0, out=h)
    logits = h @ W2
    logits += b2
    logits -= logits.max(axis=1, keepdims=True)
    exp = cp.exp(logits)
    probs = exp / exp.sum(axis=1, keepdims=True)
    rows = cp.arange(n)
    loss = -cp.log(probs[rows, yb]).sum()
    if not train:
        return loss
    grad_logits = probs
    grad_logits[rows, yb] -= 1
    grad_logits /= n
    grad_W2 = h.T @ grad_logits
    grad_b2 = grad_logits.sum(axis=0)
    grad_h = grad_logits @ W2.T
    grad_h *= h > 0
    grad_W1 = xb.T @ grad_h
    grad_b1 = grad_h.sum(axis=0)
    for param, grad in ((W1, grad_W1), (b1, grad_b1), (W2, grad_W2), (b2, grad_b2)):
        grad *= lr
        param -= grad
    return loss


step(cp.asarray(X[:256]), cp.asarray(y[:256]), train=False)  # warm-up: compile the kernels
cp.cuda.Device().synchronize()
start = time.perf_counter()
total, count = 0.0, 0
order = rng.permutation(len(X))
for i in range(0, len(X), 256):
    idx = order[i:i + 256]
    xb, yb = cp.asarray(X[idx]), cp.asarray(y[idx])
    total += float(step(xb, yb))
    count += len(idx)
cp.cuda.Device().synchronize()
seconds = time.perf_counter() - start

Xt = cp.asarray(X_test)
predicted = cp.asnumpy((cp.maximum(Xt @ W1 + b1, 0) @ W2 + b2).argmax(axis=1))
report(seconds, train_loss=total / count, test_acc=float((predicted == y_test).mean()))
