"""d2l 11.3-11.11: gradient descent in 1-D and 2-D, momentum, AdaGrad, RMSProp, Adadelta and Adam
written by hand on a 2-D function, minibatch SGD on the airfoil data, torch.optim's optimizers
and learning-rate schedulers.

The airfoil batches come in file order (no shuffling) and the 2-D runs are deterministic, so the
numbers are the same on any library; only the linear model's initial weights drawn by
torch.normal inside train_ch11 differ, by so little (standard deviation 0.01) that the printed
losses agree.
"""

import math

import numpy as np
import torch
from d2l import torch as d2l
from torch import nn
from torch.utils import data


# 11.3 gradient descent
def f(x):
    return x ** 2


def f_grad(x):
    return 2 * x


def gd(eta, f_grad):
    x = 10.0
    results = [x]
    for _ in range(10):
        x -= eta * f_grad(x)
        results.append(float(x))
    print(f"epoch 10, x: {x:f}")
    return results


results = gd(0.2, f_grad)
f_line = torch.arange(-10, 10, 0.1)
d2l.plot([f_line, results], [[f(x) for x in f_line], [f(x) for x in results]], "x", "f(x)",
         fmts=["-", "-o"])


def f_2d(x1, x2):
    return x1 ** 2 + 2 * x2 ** 2


def f_2d_grad(x1, x2):
    return (2 * x1, 4 * x2)


def gd_2d(x1, x2, s1, s2, f_grad):
    g1, g2 = f_grad(x1, x2)
    return (x1 - eta * g1, x2 - eta * g2, 0, 0)


eta = 0.1
d2l.show_trace_2d(f_2d, d2l.train_2d(gd_2d, f_grad=f_2d_grad))

# Newton's method on a nonconvex function
c = torch.tensor(0.15 * np.pi)


def f_nc(x):
    return x * torch.cos(c * x)


def f_nc_grad(x):
    return torch.cos(c * x) - c * x * torch.sin(c * x)


def f_nc_hess(x):
    return - 2 * c * torch.sin(c * x) - x * c ** 2 * torch.cos(c * x)


def newton(eta=1):
    x = 10.0
    results = [x]
    for _ in range(10):
        x -= eta * f_nc_grad(x) / f_nc_hess(x)
        results.append(float(x))
    print("epoch 10, x:", round(float(x), 5))
    return results


newton()
newton(0.5)


# 11.6-11.10 by hand on f(x1, x2) = 0.1 x1² + 2 x2²
def f2(x1, x2):
    return 0.1 * x1 ** 2 + 2 * x2 ** 2


def momentum_2d(x1, x2, v1, v2):
    v1 = beta * v1 + 0.2 * x1
    v2 = beta * v2 + 4 * x2
    return x1 - eta * v1, x2 - eta * v2, v1, v2


eta, beta = 0.6, 0.5
d2l.show_trace_2d(f2, d2l.train_2d(momentum_2d))


def adagrad_2d(x1, x2, s1, s2):
    eps = 1e-6
    g1, g2 = 0.2 * x1, 4 * x2
    s1 += g1 ** 2
    s2 += g2 ** 2
    x1 -= eta / math.sqrt(s1 + eps) * g1
    x2 -= eta / math.sqrt(s2 + eps) * g2
    return x1, x2, s1, s2


eta = 0.4
d2l.train_2d(adagrad_2d)


def rmsprop_2d(x1, x2, s1, s2):
    g1, g2, eps = 0.2 * x1, 4 * x2, 1e-6
    s1 = gamma * s1 + (1 - gamma) * g1 ** 2
    s2 = gamma * s2 + (1 - gamma) * g2 ** 2
    x1 -= eta / math.sqrt(s1 + eps) * g1
    x2 -= eta / math.sqrt(s2 + eps) * g2
    return x1, x2, s1, s2


eta, gamma = 0.4, 0.9
d2l.train_2d(rmsprop_2d)

# 11.5 minibatch SGD on the airfoil data, in file order
raw = np.genfromtxt(d2l.download("airfoil"), dtype=np.float32, delimiter="\t")
airfoil = torch.from_numpy((raw - raw.mean(axis=0)) / raw.std(axis=0))
print(airfoil.shape, [round(v, 4) for v in airfoil[0].tolist()])
data_iter = data.DataLoader(data.TensorDataset(airfoil[:1500, :-1], airfoil[:1500, -1]),
                            batch_size=10, shuffle=False)


def sgd(params, states, hyperparams):
    for p in params:
        p.data.sub_(hyperparams["lr"] * p.grad)
        p.grad.data.zero_()


def sgd_momentum(params, states, hyperparams):
    for p, v in zip(params, states):
        with torch.no_grad():
            v[:] = hyperparams["momentum"] * v + p.grad
            p[:] -= hyperparams["lr"] * v
        p.grad.data.zero_()


def adam(params, states, hyperparams):
    beta1, beta2, eps = 0.9, 0.999, 1e-6
    for p, (v, s) in zip(params, states):
        with torch.no_grad():
            v[:] = beta1 * v + (1 - beta1) * p.grad
            s[:] = beta2 * s + (1 - beta2) * torch.square(p.grad)
            v_bias_corr = v / (1 - beta1 ** hyperparams["t"])
            s_bias_corr = s / (1 - beta2 ** hyperparams["t"])
            p[:] -= hyperparams["lr"] * v_bias_corr / (torch.sqrt(s_bias_corr) + eps)
        p.grad.data.zero_()
    hyperparams["t"] += 1


torch.manual_seed(0)
d2l.train_ch11(sgd, None, {"lr": 0.05}, data_iter, 5, num_epochs=2)
d2l.train_ch11(sgd_momentum, (torch.zeros((5, 1)), torch.zeros(1)),
               {"lr": 0.02, "momentum": 0.5}, data_iter, 5, num_epochs=2)
d2l.train_ch11(adam, ((torch.zeros((5, 1)), torch.zeros((5, 1))),
                      (torch.zeros(1), torch.zeros(1))),
               {"lr": 0.01, "t": 1}, data_iter, 5, num_epochs=2)

# torch.optim's optimizers on the same data and the same initial weights (11.6-11.10, concise)
for trainer_fn, hyperparams in [(torch.optim.SGD, {"lr": 0.01, "momentum": 0.9}),
                                (torch.optim.Adagrad, {"lr": 0.1}),
                                (torch.optim.RMSprop, {"lr": 0.01, "alpha": 0.9}),
                                (torch.optim.Adadelta, {"rho": 0.9}),
                                (torch.optim.Adam, {"lr": 0.01})]:
    net = nn.Sequential(nn.Linear(5, 1))
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor([[0.01, -0.02, 0.005, 0.0, 0.015]]))
        net[0].bias.zero_()
    optimizer = trainer_fn(net.parameters(), **hyperparams)
    loss = nn.MSELoss(reduction="none")
    for X, y in data_iter:
        optimizer.zero_grad()
        out = net(X)
        l = loss(out, y.reshape(out.shape))
        l.mean().backward()
        optimizer.step()
    print(f"{trainer_fn.__name__} loss {d2l.evaluate_loss(net, data_iter, loss) / 2:.4f}")

net = nn.Linear(2, 1)
trainer = torch.optim.SGD(net.parameters(), lr=0.5)
for scheduler in [torch.optim.lr_scheduler.MultiStepLR(trainer, milestones=[3, 6], gamma=0.5)]:
    lrs = []
    for _ in range(8):
        trainer.step()
        lrs.append(scheduler.get_last_lr()[0])
        scheduler.step()
    print(lrs)


class FactorScheduler:
    def __init__(self, factor=1, stop_factor_lr=1e-7, base_lr=0.1):
        self.factor, self.stop_factor_lr, self.base_lr = factor, stop_factor_lr, base_lr

    def __call__(self, num_update):
        self.base_lr = max(self.stop_factor_lr, self.base_lr * self.factor)
        return self.base_lr


scheduler = FactorScheduler(factor=0.9, stop_factor_lr=1e-2, base_lr=2.0)
print([round(scheduler(t), 4) for t in range(5)])
trainer = torch.optim.SGD(net.parameters(), lr=0.3)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(trainer, T_max=10, eta_min=0.01)
cos_lrs = []
for _ in range(10):
    trainer.step()
    cos_lrs.append(round(scheduler.get_last_lr()[0], 5))
    scheduler.step()
print(cos_lrs)
