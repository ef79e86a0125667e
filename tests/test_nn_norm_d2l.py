"""d2l's batch normalisation (chapter 8.5) under glasstorch and torch: the from-scratch layer
written with tensor ops, a small MLP with ``BatchNorm1d`` and BNLeNet with lazy layers, each trained
for a few steps in both libraries and compared."""

from __future__ import annotations

import numpy as np
import pytest

import glasstorch as gt
from oracle import assert_same, needs_torch, torch


def rand(*shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


# ---- d2l's batch norm from scratch (chapter 8.5), in both libraries ------------------------------
def d2l_batch_norm(lib, X, gamma, beta, moving_mean, moving_var, eps, momentum):
    """Batch norm written with tensor ops, the way d2l writes it."""
    if not lib.is_grad_enabled():
        X_hat = (X - moving_mean) / lib.sqrt(moving_var + eps)
    else:
        assert len(X.shape) in (2, 4)
        if len(X.shape) == 2:
            mean = X.mean(dim=0)
            var = ((X - mean) ** 2).mean(dim=0)
        else:
            mean = X.mean(dim=(0, 2, 3), keepdim=True)
            var = ((X - mean) ** 2).mean(dim=(0, 2, 3), keepdim=True)
        X_hat = (X - mean) / lib.sqrt(var + eps)
        moving_mean = (1.0 - momentum) * moving_mean + momentum * mean
        moving_var = (1.0 - momentum) * moving_var + momentum * var
    Y = gamma * X_hat + beta
    return Y, moving_mean.data, moving_var.data


def d2l_layer(lib, num_features, num_dims):
    class BatchNorm(lib.nn.Module):
        def __init__(self):
            super().__init__()
            shape = (1, num_features) if num_dims == 2 else (1, num_features, 1, 1)
            self.gamma = lib.nn.Parameter(lib.ones(shape))
            self.beta = lib.nn.Parameter(lib.zeros(shape))
            self.moving_mean = lib.zeros(shape)
            self.moving_var = lib.ones(shape)

        def forward(self, X):
            if self.moving_mean.device != X.device:
                self.moving_mean = self.moving_mean.to(X.device)
                self.moving_var = self.moving_var.to(X.device)
            Y, self.moving_mean, self.moving_var = d2l_batch_norm(
                lib, X, self.gamma, self.beta, self.moving_mean, self.moving_var,
                eps=1e-5, momentum=0.1)
            return Y

    return BatchNorm()


@needs_torch
@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5, 5)])
def test_d2l_from_scratch_batch_norm_runs_the_same(shape):
    results = []
    for lib in (gt, torch):
        layer = d2l_layer(lib, shape[1], len(shape))
        opt = lib.optim.SGD(layer.parameters(), lr=0.5)
        record = []
        for step in range(3):
            X = lib.tensor(rand(*shape, seed=step) * 2 + 1, requires_grad=True)
            Y = layer(X)
            loss = (Y * lib.tensor(rand(*shape, seed=10 + step))).sum()
            opt.zero_grad()
            loss.backward()
            record += [Y.detach(), X.grad, layer.gamma.grad.clone(), layer.beta.grad.clone()]
            opt.step()
        with lib.no_grad():
            record.append(layer(lib.tensor(rand(*shape, seed=50))))
        record += [layer.moving_mean, layer.moving_var, layer.gamma.detach()]
        results.append(record)
    for i, (ours, theirs) in enumerate(zip(*results)):
        assert_same(ours, theirs, msg=f"item {i}")


@needs_torch
def test_d2l_style_training_with_batchnorm1d_matches_torch():
    """A few SGD steps of Linear-BatchNorm1d-Sigmoid-Linear, then evaluation."""
    def build(lib):
        lib.manual_seed(0)
        return lib.nn.Sequential(lib.nn.Linear(5, 4), lib.nn.BatchNorm1d(4), lib.nn.Sigmoid(),
                                 lib.nn.Linear(4, 2))

    ours, theirs = build(gt), build(torch)
    ours.load_state_dict({k: gt.tensor(v.numpy().copy()) for k, v in theirs.state_dict().items()})
    opts = gt.optim.SGD(ours.parameters(), lr=0.3), torch.optim.SGD(theirs.parameters(), lr=0.3)
    for step in range(4):
        x, y = rand(8, 5, seed=step), np.arange(8) % 2
        for lib, net, opt in ((gt, ours, opts[0]), (torch, theirs, opts[1])):
            loss = lib.nn.functional.cross_entropy(net(lib.tensor(x)), lib.tensor(y))
            opt.zero_grad()
            loss.backward()
            opt.step()
    for k, v in theirs.state_dict().items():
        assert_same(ours.state_dict()[k], v, msg=k)
    ours.eval()
    theirs.eval()
    assert_same(ours(gt.tensor(rand(3, 5, seed=9))), theirs(torch.tensor(rand(3, 5, seed=9))))


@needs_torch
def test_d2l_bn_lenet_with_lazy_layers_trains_like_torch():
    """d2l's BNLeNet (chapter 8.5): lazy convolutions and lazy batch norms, two SGD steps."""
    def build(lib):
        nn = lib.nn
        return nn.Sequential(
            nn.LazyConv2d(6, kernel_size=5), nn.LazyBatchNorm2d(), nn.Sigmoid(),
            nn.AvgPool2d(kernel_size=2, stride=2),
            nn.LazyConv2d(16, kernel_size=5), nn.LazyBatchNorm2d(), nn.Sigmoid(),
            nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
            nn.LazyLinear(120), nn.LazyBatchNorm1d(), nn.Sigmoid(),
            nn.LazyLinear(84), nn.LazyBatchNorm1d(), nn.Sigmoid(), nn.LazyLinear(10))

    ours, theirs = build(gt), build(torch)
    x0 = rand(2, 1, 28, 28, seed=3)
    ours(gt.tensor(x0))
    theirs(torch.tensor(x0))
    assert str(ours) == str(theirs)
    ours.load_state_dict({k: gt.tensor(v.numpy().copy()) for k, v in theirs.state_dict().items()})
    opts = gt.optim.SGD(ours.parameters(), lr=0.1), torch.optim.SGD(theirs.parameters(), lr=0.1)
    for step in range(2):
        x, y = rand(8, 1, 28, 28, seed=step), np.arange(8) % 10
        for lib, net, opt in ((gt, ours, opts[0]), (torch, theirs, opts[1])):
            loss = lib.nn.functional.cross_entropy(net(lib.tensor(x)), lib.tensor(y))
            opt.zero_grad()
            loss.backward()
            opt.step()
    for k, v in theirs.state_dict().items():
        assert_same(ours.state_dict()[k], v, msg=k)
    ours.eval()
    theirs.eval()
    with gt.no_grad(), torch.no_grad():
        assert_same(ours(gt.tensor(rand(3, 1, 28, 28, seed=9))),
                    theirs(torch.tensor(rand(3, 1, 28, 28, seed=9))))
