"""glasstorch.d2l's chapter 6-7 helpers: corr2d, evaluate_accuracy_gpu, train_ch6, Residual,
resnet18, checked against the book's definitions run on the real PyTorch.

The book's helpers are re-stated here for PyTorch (``book_*``) in the test's own words: d2l itself
is not installable beside torch 2.13, and these few lines are the specification.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import glasstorch as gt
from glasstorch import d2l
from oracle import assert_same, to_torch


def book_corr2d(torch, X, K):
    """The book's loop: one output element at a time."""
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y


# --- corr2d ----------------------------------------------------------------------------------

def test_corr2d_the_books_example():
    X = gt.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]])
    K = gt.tensor([[0.0, 1.0], [2.0, 3.0]])
    Y = d2l.corr2d(X, K)
    assert Y.tolist() == [[19.0, 25.0], [37.0, 43.0]] and Y.dtype == gt.float32


def test_corr2d_edge_detection():
    X = gt.ones((6, 8))
    X[:, 2:6] = 0
    Y = d2l.corr2d(X, gt.tensor([[1.0, -1.0]]))
    expected = np.zeros((6, 7), dtype=np.float32)
    expected[:, 1], expected[:, 5] = 1, -1
    np.testing.assert_array_equal(Y.numpy(), expected)
    assert d2l.corr2d(X.t(), gt.tensor([[1.0, -1.0]])).abs().sum().item() == 0


@pytest.mark.parametrize("x_shape, k_shape, dtype", [
    ((5, 7), (2, 3), "float32"), ((4, 4), (4, 4), "float32"), ((3, 6), (1, 1), "float64"),
    ((6, 5), (3, 2), "int64"), ((2, 3), (3, 3), "float32"), ((2, 3), (4, 3), "float32"),
])
def test_corr2d_matches_the_books_loop(torch, x_shape, k_shape, dtype):
    rng = np.random.default_rng(0)
    X = rng.integers(-3, 4, x_shape).astype(dtype)
    K = rng.integers(-2, 3, k_shape).astype(dtype)
    if x_shape[0] + 1 < k_shape[0]:   # the book fails too (zeros of a negative size)
        with pytest.raises(RuntimeError, match=r"corr2d: kernel \(4, 3\) is larger"):
            d2l.corr2d(gt.from_numpy(X), gt.from_numpy(K))
        with pytest.raises(RuntimeError):
            book_corr2d(torch, torch.from_numpy(X), torch.from_numpy(K))
        return
    assert_same(d2l.corr2d(gt.from_numpy(X), gt.from_numpy(K)),
                book_corr2d(torch, torch.from_numpy(X), torch.from_numpy(K)))


def test_corr2d_gradients_match_the_books_loop(torch):
    rng = np.random.default_rng(1)
    X, K = rng.standard_normal((6, 8), dtype=np.float32), rng.standard_normal((2, 3),
                                                                               dtype=np.float32)
    ours = [gt.tensor(X, requires_grad=True), gt.tensor(K, requires_grad=True)]
    theirs = [torch.tensor(X, requires_grad=True), torch.tensor(K, requires_grad=True)]
    (d2l.corr2d(*ours) ** 2).sum().backward()
    (book_corr2d(torch, *theirs) ** 2).sum().backward()
    assert_same([t.grad for t in ours], [t.grad for t in theirs], rtol=1e-5, atol=1e-5)


def test_corr2d_rejects_batches():
    with pytest.raises(RuntimeError, match="2-D input and a 2-D kernel.*conv2d"):
        d2l.corr2d(gt.ones((1, 4, 4)), gt.ones((2, 2)))


# --- evaluate_accuracy_gpu -------------------------------------------------------------------

def test_evaluate_accuracy_gpu_counts_right_answers():
    net = gt.nn.Sequential(gt.nn.Linear(2, 2, bias=False))
    with gt.no_grad():
        net[0].weight.copy_(gt.eye(2))
    X = gt.tensor([[1.0, 0.0], [0.0, 1.0], [2.0, 1.0], [0.0, 3.0], [1.0, 5.0]])
    y = gt.tensor([0, 1, 1, 1, 0])   # rows 0, 1, 3 are right
    loader = d2l.load_array((X, y), 2, is_train=False)
    net.train()
    assert d2l.evaluate_accuracy_gpu(net, loader) == pytest.approx(3 / 5)
    assert not net.training
    assert d2l.evaluate_accuracy_gpu(net, loader, d2l.try_gpu()) == pytest.approx(3 / 5)

    def two_inputs(xs):
        return net(xs[0] + xs[1])
    pairs = [([X[:3], gt.zeros((3, 2))], y[:3]), ([X[3:], gt.zeros((2, 2))], y[3:])]
    assert d2l.evaluate_accuracy_gpu(two_inputs, pairs, gt.device("cpu")) == pytest.approx(3 / 5)


# --- train_ch6 -------------------------------------------------------------------------------

def small_cnn(nn):
    """A 1×8×8 → 3-class network with every layer type train_ch6 re-initialises, and one not."""
    return nn.Sequential(nn.Conv2d(1, 4, kernel_size=3, padding=1), nn.Sigmoid(),
                         nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
                         nn.Linear(64, 16), nn.Sigmoid(), nn.Linear(16, 3))


def book_train_ch6(torch, net, train_iter, test_iter, num_epochs, lr):
    """The book's loop without the plot and the timer: returns (loss, train acc, test acc)."""
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    loss = torch.nn.CrossEntropyLoss()
    for _ in range(num_epochs):
        total = right = count = 0.0
        net.train()
        for X, y in train_iter:
            optimizer.zero_grad()
            y_hat = net(X)
            l = loss(y_hat, y)
            l.backward()
            optimizer.step()
            with torch.no_grad():
                total += float(l * X.shape[0])
                right += float((y_hat.argmax(1) == y).sum())
                count += X.shape[0]
        net.eval()
        with torch.no_grad():
            test_right = sum(float((net(X).argmax(1) == y).sum()) for X, y in test_iter)
            test_count = sum(len(y) for _, y in test_iter)
    return total / count, right / count, test_right / test_count


def fixed_xavier(rng, lib, record=None):
    """Xavier-uniform with numbers from a NumPy generator, so both libraries start alike."""
    def init(w):
        bound = float(np.sqrt(6 / (w.shape[0] + int(np.prod(w.shape[1:])))))
        values = rng.uniform(-bound, bound, tuple(w.shape)).astype(np.float32)
        with lib.no_grad():
            w.copy_(lib.from_numpy(values))
        if record is not None:
            record.append(tuple(w.shape))
        return w
    return init


def test_train_ch6_matches_the_books_loop(torch, monkeypatch, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    pytest.importorskip("tqdm")
    monkeypatch.setenv("GLASSTORCH_FIGURES", str(tmp_path))
    rng = np.random.default_rng(2)
    X = rng.standard_normal((40, 1, 8, 8), dtype=np.float32)
    y = (X[:, 0, :4].mean((1, 2)) > 0).astype(np.int64) + (X[:, 0, 4:].mean((1, 2)) > 0)
    batches = [(X[i:i + 16], y[i:i + 16]) for i in (0, 16, 32)]   # 16, 16 and 8 examples
    test = [(X[:16] * 0.5, y[:16]), (X[16:] * 0.5, y[16:])]

    # Xavier draws random numbers: give both sides the same ones.
    initialised = []
    monkeypatch.setattr(gt.nn.init, "xavier_uniform_",
                        fixed_xavier(np.random.default_rng(3), gt, initialised))
    net = small_cnn(gt.nn)
    net_t = small_cnn(torch.nn)
    net_t.load_state_dict({k: to_torch(v) for k, v in net.state_dict().items()})
    torch_xavier = fixed_xavier(np.random.default_rng(3), torch)
    for m in net_t:   # the order net.apply visits them in
        if type(m) in (torch.nn.Linear, torch.nn.Conv2d):
            torch_xavier(m.weight)
    d2l.train_ch6(net, [tuple(map(gt.from_numpy, b)) for b in batches],
                  [tuple(map(gt.from_numpy, b)) for b in test], 2, 0.5, d2l.try_gpu())
    out = capsys.readouterr().out.splitlines()
    assert initialised == [(4, 1, 3, 3), (16, 64), (3, 16)]
    assert out[0] == "training on cpu" and len(out) == 3
    assert re.fullmatch(r"\d+\.\d examples/sec on cpu", out[2])
    assert list(tmp_path.glob("animator*.png"))

    theirs = book_train_ch6(torch, net_t, [tuple(map(torch.from_numpy, b)) for b in batches],
                            [tuple(map(torch.from_numpy, b)) for b in test], 2, 0.5)
    assert out[1] == "loss {:.3f}, train acc {:.3f}, test acc {:.3f}".format(*theirs)
    for (name, p), p_t in zip(net.named_parameters(), net_t.parameters()):
        assert_same(p, p_t, rtol=1e-4, atol=1e-5, msg=name)


def test_train_ch6_initialises_exact_linear_and_conv2d_only(monkeypatch, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    monkeypatch.setenv("GLASSTORCH_FIGURES", str(tmp_path))
    initialised = []
    monkeypatch.setattr(gt.nn.init, "xavier_uniform_",
                        fixed_xavier(np.random.default_rng(0), gt, initialised))

    class MyLinear(gt.nn.Linear):   # a subclass is not an exact nn.Linear: the book skips it
        pass
    net = gt.nn.Sequential(gt.nn.Flatten(), MyLinear(4, 3), gt.nn.Linear(3, 2))
    data = [(gt.ones((2, 1, 2, 2)), gt.tensor([0, 1]))]
    d2l.train_ch6(net, data, data, 2, 0.1, gt.device("cpu"))   # one batch: no division by 0
    assert initialised == [(2, 3)]
    assert capsys.readouterr().out.startswith("training on cpu\nloss ")


# --- Residual and resnet18 -------------------------------------------------------------------

def book_residual_class(torch):
    """The book's residual block, on PyTorch."""
    nn, F = torch.nn, torch.nn.functional

    class Residual(nn.Module):
        def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):
            super().__init__()
            self.conv1 = nn.Conv2d(input_channels, num_channels, 3, padding=1, stride=strides)
            self.conv2 = nn.Conv2d(num_channels, num_channels, 3, padding=1)
            self.conv3 = (nn.Conv2d(input_channels, num_channels, 1, stride=strides)
                          if use_1x1conv else None)
            self.bn1 = nn.BatchNorm2d(num_channels)
            self.bn2 = nn.BatchNorm2d(num_channels)

        def forward(self, X):
            Y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(X)))))
            return F.relu(Y + (self.conv3(X) if self.conv3 else X))
    return Residual


def book_resnet18(torch, num_classes, in_channels=1):
    nn, Residual = torch.nn, book_residual_class(torch)

    def stage(c_in, c_out, first=False):
        return nn.Sequential(Residual(c_in, c_out, use_1x1conv=not first, strides=1 if first
                                      else 2), Residual(c_out, c_out))
    net = nn.Sequential(nn.Conv2d(in_channels, 64, 3, stride=1, padding=1), nn.BatchNorm2d(64),
                        nn.ReLU())
    for i, (c_in, c_out) in enumerate([(64, 64), (64, 128), (128, 256), (256, 512)]):
        net.add_module(f"resnet_block{i + 1}", stage(c_in, c_out, first=i == 0))
    net.add_module("global_avg_pool", nn.AdaptiveAvgPool2d((1, 1)))
    net.add_module("fc", nn.Sequential(nn.Flatten(), nn.Linear(512, num_classes)))
    return net


def copy_to_torch(ours, theirs):
    theirs.load_state_dict({k: to_torch(v) for k, v in ours.state_dict().items()})


def assert_same_forward_backward(torch, net, net_t, X, rtol=1e-4, atol=1e-5):
    """Outputs, input gradient and parameter gradients of ``net`` equal PyTorch's."""
    x = gt.from_numpy(X).requires_grad_()
    x_t = torch.from_numpy(X).requires_grad_()
    out, out_t = net(x), net_t(x_t)
    assert_same(out, out_t, rtol=rtol, atol=atol, msg="output")
    (out * out).sum().backward()
    (out_t * out_t).sum().backward()
    assert_same(x.grad, x_t.grad, rtol=rtol, atol=atol, msg="input grad")
    grads_t = {n: p.grad for n, p in net_t.named_parameters()}
    # A bias just before batch norm has a gradient of 0 up to rounding: absolute tolerance
    # relative to the largest gradient
    scale = max(max(float(g.abs().max()) for g in grads_t.values()), 1.0)
    for name, p in net.named_parameters():
        assert_same(p.grad, grads_t[name], rtol=rtol, atol=atol * scale, msg=name)
    return out


@pytest.mark.parametrize("args, out_shape", [
    ((3, 3), (4, 3, 6, 6)),
    ((3, 6, True, 2), (4, 6, 3, 3)),
    ((3, 5, True), (4, 5, 6, 6)),
])
def test_residual_matches_the_book(torch, args, out_shape):
    gt.manual_seed(0)
    blk, blk_t = d2l.Residual(*args), book_residual_class(torch)(*args)
    assert repr(blk).replace("Residual", "R") == repr(blk_t).replace("Residual", "R")
    assert list(blk.state_dict()) == list(blk_t.state_dict())
    copy_to_torch(blk, blk_t)
    X = np.random.default_rng(4).standard_normal((4, 3, 6, 6), dtype=np.float32)
    out = assert_same_forward_backward(torch, blk, blk_t, X)
    assert tuple(out.shape) == out_shape
    blk.eval()
    blk_t.eval()
    assert_same(blk(gt.from_numpy(X)), blk_t(torch.from_numpy(X)), rtol=1e-4, atol=1e-5)


def test_residual_without_1x1_conv_needs_matching_channels():
    with pytest.raises(RuntimeError):
        d2l.Residual(3, 6)(gt.ones((1, 3, 4, 4)))


def test_resnet18_matches_the_book(torch):
    gt.manual_seed(0)
    net, net_t = d2l.resnet18(10), book_resnet18(torch, 10)
    assert repr(net) == repr(net_t).replace("book_residual_class.<locals>.", "")
    assert [(k, tuple(v.shape)) for k, v in net.state_dict().items()] == [
        (k, tuple(v.shape)) for k, v in net_t.state_dict().items()]
    copy_to_torch(net, net_t)
    X = np.random.default_rng(5).standard_normal((2, 1, 12, 12), dtype=np.float32)
    # 20 layers deep in float32: the sums are ordered differently, hence the looser tolerance
    out = assert_same_forward_backward(torch, net, net_t, X, rtol=1e-3, atol=1e-4)
    assert tuple(out.shape) == (2, 10)
    assert tuple(d2l.resnet18(5, in_channels=3)(gt.ones((2, 3, 8, 8))).shape) == (2, 5)
