"""How often seed003_generalization's first polynomial fit misses its own check.

    python scripts/seed003_polyfit_spread.py FIRST LAST                 # on PyTorch
    python -m glasstorch run scripts/seed003_polyfit_spread.py FIRST LAST   # on glasstorch

The program fits 4 polynomial coefficients with SGD (lr 0.01, batch 10, 400 epochs) on 100
NumPy-drawn points and asserts every coefficient is within 0.3 of the true one. This runs that fit
for NumPy seeds FIRST..LAST-1 (each library shuffles with its own generator, seeded with the same
number) and prints how many fits miss the bound.
"""

import math
import sys

import numpy as np
import torch

TRUE_W = np.array([5, 1.2, -3.4, 5.6])


def fit_misses(seed: int) -> bool:
    np.random.seed(seed)
    torch.manual_seed(seed)
    true_w = np.zeros(20)
    true_w[:4] = TRUE_W
    features = np.random.normal(size=(200, 1))
    np.random.shuffle(features)
    poly = np.power(features, np.arange(20).reshape(1, -1))
    for i in range(20):
        poly[:, i] /= math.gamma(i + 1)
    labels = np.dot(poly, true_w) + np.random.normal(scale=0.1, size=200)
    x = torch.tensor(poly[:100, :4], dtype=torch.float32)
    y = torch.tensor(labels[:100], dtype=torch.float32).reshape(-1, 1)
    net = torch.nn.Linear(4, 1, bias=False)
    opt = torch.optim.SGD(net.parameters(), lr=0.01)
    batches = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), 10, shuffle=True)
    for _ in range(400):
        for xb, yb in batches:
            opt.zero_grad()
            ((net(xb) - yb) ** 2).mean().backward()
            opt.step()
    error = net.weight.data.reshape(-1) - torch.tensor(TRUE_W, dtype=torch.float32)
    return error.abs().max().item() >= 0.3


if __name__ == "__main__":
    first, last = int(sys.argv[1]), int(sys.argv[2])
    missed = [s for s in range(first, last) if fit_misses(s)]
    print(f"{torch.__name__}: missed {len(missed)} of {last - first} (seeds {missed})")
