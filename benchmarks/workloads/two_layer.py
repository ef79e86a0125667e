"""(b) The seed two-layer autograd net (seed002): N=64, 1000 → 100 → 10, 500 steps of SGD.

`x.mm(w1).clamp(min=0).mm(w2)`, a squared-error sum, backward and two in-place updates under
no_grad: per step a few medium matrix products (64×1000 @ 1000×100) plus a dozen small ops. Data
and weights come from NumPy with a fixed seed, so both libraries start from the same point.
"""

import time

import numpy as np
import torch
from _bench import quick, report

N, D_in, H, D_out = 64, 1000, 100, 10
STEPS = 50 if quick() else 500
rng = np.random.default_rng(0)
x = torch.tensor(rng.standard_normal((N, D_in), dtype=np.float32))
y = torch.tensor(rng.standard_normal((N, D_out), dtype=np.float32))
w1 = torch.tensor(rng.standard_normal((D_in, H), dtype=np.float32), requires_grad=True)
w2 = torch.tensor(rng.standard_normal((H, D_out), dtype=np.float32), requires_grad=True)
learning_rate = 1e-6

start = time.perf_counter()
for _step in range(STEPS):
    y_pred = x.mm(w1).clamp(min=0).mm(w2)
    loss = (y_pred - y).pow(2).sum()
    loss.backward()
    with torch.no_grad():
        w1 -= learning_rate * w1.grad
        w2 -= learning_rate * w2.grad
        w1.grad.zero_()
        w2.grad.zero_()
final_loss = loss.item()
seconds = time.perf_counter() - start
report(seconds, loss=final_loss)
