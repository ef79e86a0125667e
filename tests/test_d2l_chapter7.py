"""d2l chapter 7 (modern CNNs) on glasstorch: AlexNet, VGG-11, NiN, GoogLeNet, LeNet with batch
norm, ResNet-18 and DenseNet, built as the book describes them (``d2l_ch7_nets.py``).

For each network:

- the book's shape printout (``for layer in net: X = layer(X); print(...)``) prints the same text
  on glasstorch as on PyTorch, at the book's input size where that is cheap;
- with PyTorch's copy of the same weights, the output, the input gradient and every parameter
  gradient agree (at a reduced input size, batch 2);
- a few SGD steps on one batch of 4 reduced-size images lower the loss.
"""

from __future__ import annotations

import io

import numpy as np
import pytest

import d2l_ch7_nets as nets
import glasstorch as gt
from oracle import assert_same, to_torch

# name: (builder, size of the shape printout, reduced training size, learning rate)
NETWORKS = {
    "alexnet": (nets.alexnet, 224, 96, 0.01),
    "vgg11_small": (nets.vgg11, 224, 64, 0.05),
    "nin": (nets.nin, 224, 96, 0.1),
    "googlenet": (nets.googlenet, 96, 64, 0.1),
    "lenet_bn": (nets.lenet_bn, 28, 28, 0.3),
    "resnet18": (nets.resnet18, 96, 64, 0.05),
    "densenet": (nets.densenet, 96, 64, 0.1),
}


def build(name: str, lib, size: int):
    builder = NETWORKS[name][0]
    if builder in (nets.alexnet, nets.vgg11):
        return builder(lib, size=size)
    return builder(lib)


def shape_printout(net, X) -> str:
    """The book's loop over the top-level layers, printing each output shape."""
    out = io.StringIO()
    for layer in net:
        X = layer(X)
        print(layer.__class__.__name__, "output shape:\t", X.shape, file=out)
    return out.getvalue()


def images(n: int, size: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random((n, 1, size, size), dtype=np.float32)


@pytest.mark.parametrize("name", list(NETWORKS))
def test_shape_printout_as_in_pytorch(torch, name):
    size = NETWORKS[name][1]
    X = images(2 if name == "lenet_bn" else 1, size)   # BatchNorm1d needs 2 rows to train
    with gt.no_grad():
        ours = shape_printout(build(name, gt, size), gt.from_numpy(X))
    with torch.no_grad():
        theirs = shape_printout(build(name, torch, size), torch.from_numpy(X))
    assert ours == theirs
    assert ours.splitlines()[-1].endswith(f"torch.Size([{X.shape[0]}, 10])")


def test_dense_and_transition_blocks_as_in_pytorch(torch):
    X = images(4, 8)[:, [0, 0, 0]]   # 4 images of 3 channels, 8×8
    for lib, x in ((gt, gt.from_numpy(X)), (torch, torch.from_numpy(X))):
        Y = nets.dense_block_class(lib)(2, 3, 10)(x)
        assert tuple(Y.shape) == (4, 23, 8, 8)
        assert tuple(nets.transition_block(lib, 23, 10)(Y).shape) == (4, 10, 4, 4)


@pytest.mark.parametrize("name", list(NETWORKS))
def test_values_and_gradients_match_pytorch(torch, name):
    size = NETWORKS[name][2]
    gt.manual_seed(0)
    net, net_t = build(name, gt, size), build(name, torch, size)
    assert repr(net) == repr(net_t)
    net_t.load_state_dict({k: to_torch(v) for k, v in net.state_dict().items()})
    if any(isinstance(m, gt.nn.Dropout) for m in net.modules()):
        net.eval()     # dropout draws different masks in each library: compare without it
        net_t.eval()
    X = images(2, size, seed=1)
    x, x_t = gt.from_numpy(X).requires_grad_(), torch.from_numpy(X).requires_grad_()
    out, out_t = net(x), net_t(x_t)
    # float32 through up to ~60 layers, summed in different orders: looser than the defaults
    tol = dict(rtol=1e-3, atol=1e-4)
    assert_same(out, out_t, msg="output", **tol)
    (out * out).sum().backward()
    (out_t * out_t).sum().backward()
    assert_same(x.grad, x_t.grad, msg="input grad", **tol)
    grads_t = {n: p.grad for n, p in net_t.named_parameters()}
    scale = max(float(g.abs().max()) for g in grads_t.values())
    for n, p in net.named_parameters():
        assert_same(p.grad, grads_t[n], rtol=1e-3, atol=1e-4 * max(scale, 1.0), msg=n)
    if net.training:   # batch norm's running statistics moved the same way
        for n, b in net.named_buffers():
            assert_same(b, dict(net_t.named_buffers())[n], msg=n, **tol)


@pytest.mark.parametrize("name", list(NETWORKS))
def test_a_few_sgd_steps_lower_the_loss(name):
    _, _, size, lr = NETWORKS[name]
    gt.manual_seed(0)
    net = build(name, gt, size)
    X, y = gt.from_numpy(images(4, size, seed=2)), gt.tensor([0, 3, 3, 7])
    loss = gt.nn.CrossEntropyLoss()
    optimizer = gt.optim.SGD(net.parameters(), lr=lr)

    has_batch_norm = any(isinstance(m, (gt.nn.BatchNorm1d, gt.nn.BatchNorm2d))
                         for m in net.modules())

    def current_loss() -> float:   # without dropout; batch norm on this batch's statistics
        net.train(has_batch_norm)
        with gt.no_grad():
            return loss(net(X), y).item()

    before = current_loss()
    for _ in range(3):
        net.train()
        optimizer.zero_grad()
        l = loss(net(X), y)
        l.backward()
        optimizer.step()
        assert np.isfinite(l.item())
    after = current_loss()
    assert np.isfinite(after) and after < before
