"""``glasstorch demo``: linear regression from scratch, as d2l 3.2 and the learners' notes do it.

Synthetic data y = X·w + b + noise (w = [2, -3.4], b = 4.2, 1,000 samples), minibatch SGD written
by hand with autograd; prints the loss after each epoch, the parameters found and the time taken.
"""

from __future__ import annotations

import time


def linear_regression_demo(
    epochs: int = 3, lr: float = 0.03, batch_size: int = 10, seed: int = 0
) -> int:
    import glasstorch as torch

    torch.manual_seed(seed)
    true_w, true_b = torch.tensor([2.0, -3.4]), 4.2
    X = torch.normal(0, 1, (1000, 2))
    y = torch.matmul(X, true_w) + true_b
    y += torch.normal(0, 0.01, y.shape)
    y = y.reshape(-1, 1)

    w = torch.normal(0, 0.01, size=(2, 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    print(f"linear regression from scratch: 1000 samples, batch {batch_size}, lr {lr}")
    start = time.perf_counter()
    for epoch in range(epochs):
        order = torch.randperm(1000)
        for i in range(0, 1000, batch_size):
            idx = order[i : i + batch_size]
            loss = ((torch.matmul(X[idx], w) + b - y[idx]) ** 2 / 2).mean()
            loss.backward()
            with torch.no_grad():
                for p in (w, b):
                    p -= lr * p.grad
                    p.grad.zero_()
        with torch.no_grad():
            full = ((torch.matmul(X, w) + b - y) ** 2 / 2).mean()
        print(f"epoch {epoch + 1}, loss {float(full):f}")
    elapsed = time.perf_counter() - start
    def readable(t):  # float32 values as the short decimals they stand for, not 3.4000000953674316
        return [round(v, 4) for v in t.detach().reshape(-1).tolist()]

    print(f"w = {readable(w)}  (true {readable(true_w)})")
    print(f"b = {b.item():.4f}  (true {true_b})")
    print(f"trained in {elapsed:.2f} s")
    return 0
