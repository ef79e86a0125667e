"""Helpers of d2l chapter 11 (optimization algorithms): 2-D traces and the airfoil benchmark.

- ``annotate(text, xy, xytext)``: an arrow with a label on the current plot (11.1);
- ``train_2d(trainer, steps=20, f_grad=None)`` and ``show_trace_2d(f, results)``: run an
  update rule on a function of two variables from (-5, -2) and draw its path over the contours
  (11.3);
- ``get_data_ch11(batch_size=10, n=1500)``: the NASA airfoil self-noise data, standardised, as
  a DataLoader of ``(X (batch, 5), y (batch,))`` (11.5; the file is shipped, see ``hub``);
- ``train_ch11(trainer_fn, states, hyperparams, data_iter, feature_dim, num_epochs=2)``: linear
  regression trained with a hand-written update rule; ``train_concise_ch11(trainer_fn,
  hyperparams, data_iter, num_epochs=4)``: the same with a ``torch.optim`` optimizer class.
"""

from __future__ import annotations

import numpy as np

import glasstorch as torch
from glasstorch import nn

from .animator import Animator, Timer
from .data import load_array
from .hub import download
from .plotting import pyplot, set_figsize
from .training import evaluate_loss, linreg, squared_loss

__all__ = ["annotate", "train_2d", "show_trace_2d", "get_data_ch11", "train_ch11",
           "train_concise_ch11"]


def annotate(text: str, xy, xytext) -> None:
    """Write ``text`` at ``xytext`` with an arrow pointing at ``xy`` on the current axes."""
    pyplot().gca().annotate(text, xy=xy, xytext=xytext, arrowprops=dict(arrowstyle="->"))


def train_2d(trainer, steps: int = 20, f_grad=None):
    """Apply ``trainer`` ``steps`` times from ``(x1, x2) = (-5, -2)``; returns the path.

    ``trainer(x1, x2, s1, s2)`` (or ``trainer(x1, x2, s1, s2, f_grad)`` when ``f_grad`` is
    given) returns the new ``(x1, x2, s1, s2)``; ``s1``, ``s2`` are state such as momentum,
    starting at 0. Prints the last point; returns the list of the ``steps + 1`` points.
    """
    x1, x2, s1, s2 = -5, -2, 0, 0
    results = [(x1, x2)]
    for _ in range(steps):
        if f_grad:
            x1, x2, s1, s2 = trainer(x1, x2, s1, s2, f_grad)
        else:
            x1, x2, s1, s2 = trainer(x1, x2, s1, s2)
        results.append((x1, x2))
    print(f"epoch {steps}, x1: {float(x1):f}, x2: {float(x2):f}")
    return results


def show_trace_2d(f, results) -> None:
    """Draw the path ``results`` (from ``train_2d``) over the contour lines of ``f(x1, x2)``
    for ``x1`` in [-5.5, 1) and ``x2`` in [-3, 1) (a 0.1 grid)."""
    plt = pyplot()
    set_figsize()
    plt.plot(*zip(*results), "-o", color="#ff7f0e")
    a, b = torch.arange(-5.5, 1.0, 0.1), torch.arange(-3.0, 1.0, 0.1)
    # the 'ij' grid torch.meshgrid(a, b) gives: x1 varies down the rows, x2 along them
    x1 = a.reshape(-1, 1).expand(len(a), len(b))
    x2 = b.reshape(1, -1).expand(len(a), len(b))
    plt.contour(x1, x2, f(x1, x2), colors="#1f77b4")
    plt.xlabel("x1")
    plt.ylabel("x2")


def get_data_ch11(batch_size: int = 10, n: int = 1500):
    """``(data_iter, feature_dim)``: the first ``n`` airfoil examples, every column
    standardised (zero mean, unit standard deviation over all 1503 rows), as a shuffling
    DataLoader of ``(X (batch, 5), y (batch,))``; ``feature_dim`` is 5."""
    data = np.genfromtxt(download("airfoil"), dtype=np.float32, delimiter="\t")
    data = torch.from_numpy((data - data.mean(axis=0)) / data.std(axis=0))
    data_iter = load_array((data[:n, :-1], data[:n, -1]), batch_size, is_train=True)
    return data_iter, data.shape[1] - 1


def train_ch11(trainer_fn, states, hyperparams, data_iter, feature_dim: int,
               num_epochs: int = 2):
    """Linear regression on ``data_iter`` with a hand-written optimizer.

    ``trainer_fn([w, b], states, hyperparams)`` updates the parameters in place from their
    gradients (and zeroes them). ``w`` starts as N(0, 0.01²) of shape ``(feature_dim, 1)``, ``b``
    as 0. Every 200 examples the loss over the whole data set is plotted (that evaluation is not
    timed). Prints ``loss: 0.243, 0.012 sec/epoch`` and returns ``(cumulative times, losses)``.
    """
    w = torch.normal(mean=0.0, std=0.01, size=(feature_dim, 1), requires_grad=True)
    b = torch.zeros((1), requires_grad=True)

    def net(X):
        return linreg(X, w, b)

    loss = squared_loss
    animator = Animator(xlabel="epoch", ylabel="loss", xlim=[0, num_epochs], ylim=[0.22, 0.35])
    n, timer = 0, Timer()
    for _ in range(num_epochs):
        for X, y in data_iter:
            l = loss(net(X), y).mean()
            l.backward()
            trainer_fn([w, b], states, hyperparams)
            n += X.shape[0]
            if n % 200 == 0:
                timer.stop()
                animator.add(n / X.shape[0] / len(data_iter),
                             (evaluate_loss(net, data_iter, loss),))
                timer.start()
    print(f"loss: {animator.Y[0][-1]:.3f}, {timer.avg():.3f} sec/epoch")
    return timer.cumsum(), animator.Y[0]


def _normal_init(m) -> None:
    if type(m) is nn.Linear:
        nn.init.normal_(m.weight, std=0.01)


def train_concise_ch11(trainer_fn, hyperparams: dict, data_iter, num_epochs: int = 4) -> None:
    """Linear regression (``nn.Linear(5, 1)``, weights N(0, 0.01²)) trained with
    ``trainer_fn(net.parameters(), **hyperparams)``, a ``torch.optim`` optimizer class; plots and
    prints as ``train_ch11`` (the plotted loss is half the mean squared error, to compare)."""
    net = nn.Sequential(nn.Linear(5, 1))
    net.apply(_normal_init)
    optimizer = trainer_fn(net.parameters(), **hyperparams)
    loss = nn.MSELoss(reduction="none")
    animator = Animator(xlabel="epoch", ylabel="loss", xlim=[0, num_epochs], ylim=[0.22, 0.35])
    n, timer = 0, Timer()
    for _ in range(num_epochs):
        for X, y in data_iter:
            optimizer.zero_grad()
            out = net(X)
            y = y.reshape(out.shape)
            l = loss(out, y)
            l.mean().backward()
            optimizer.step()
            n += X.shape[0]
            if n % 200 == 0:
                timer.stop()
                # MSELoss has no 1/2: halve it to match squared_loss
                animator.add(n / X.shape[0] / len(data_iter),
                             (evaluate_loss(net, data_iter, loss) / 2,))
                timer.start()
    print(f"loss: {animator.Y[0][-1]:.3f}, {timer.avg():.3f} sec/epoch")
