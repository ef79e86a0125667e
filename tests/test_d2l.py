"""glasstorch.d2l: the d2l v2 helpers (data, training, plotting, aliases) as the book has them.

Plotting tests use matplotlib's Agg backend and skip without matplotlib; the Fashion-MNIST tests
skip when the Debian dataset (or glasstorch.vision's FashionMNIST) is not available.
"""

import os
import subprocess
import sys

import numpy as np
import pytest

import glasstorch as gt
from glasstorch import d2l, nn

FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"


@pytest.fixture
def plt(monkeypatch, tmp_path):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg", force=True)
    monkeypatch.setenv("GLASSTORCH_FIGURES", str(tmp_path))
    import matplotlib.pyplot as pyplot

    yield pyplot
    pyplot.close("all")


# --- Timer and Accumulator -------------------------------------------------------------------

def test_timer_records_laps():
    timer = d2l.Timer()
    first = timer.stop()
    timer.start()
    second = timer.stop()
    assert timer.times == [first, second] and first >= 0 and second >= 0
    assert timer.sum() == pytest.approx(first + second)
    assert timer.avg() == pytest.approx((first + second) / 2)
    assert timer.cumsum() == pytest.approx([first, first + second])
    assert isinstance(timer.cumsum(), list)


def test_accumulator_sums_tensors_and_numbers():
    acc = d2l.Accumulator(3)
    acc.add(gt.tensor(1.5), 2, np.float32(0.5))
    acc.add(1, gt.tensor([3]), 0.25)
    assert acc[0] == 2.5 and acc[1] == 5.0 and acc[2] == 0.75
    assert all(isinstance(v, float) for v in acc.data) and acc[0:2] == [2.5, 5.0]
    acc.reset()
    assert acc.data == [0.0, 0.0, 0.0]


# --- data ------------------------------------------------------------------------------------

def test_synthetic_data_follows_the_linear_model():
    gt.manual_seed(0)
    w, b = gt.tensor([2, -3.4]), 4.2
    X, y = d2l.synthetic_data(w, b, 1000)
    assert X.shape == (1000, 2) and y.shape == (1000, 1)
    assert X.dtype == gt.float32 and y.dtype == gt.float32
    noise = y.reshape(-1) - (X @ w + b)
    assert noise.abs().max().item() < 0.06 and abs(noise.std().item() - 0.01) < 0.002


def test_load_array_batches_and_shuffles():
    X = gt.arange(10, dtype=gt.float32).reshape(10, 1)
    y = gt.arange(10)
    batches = list(d2l.load_array((X, y), 4, is_train=False))
    assert [len(b[1]) for b in batches] == [4, 4, 2]
    assert batches[0][1].tolist() == [0, 1, 2, 3] and batches[0][0].shape == (4, 1)
    gt.manual_seed(1)
    order = [v for _, yb in d2l.load_array((X, y), 4) for v in yb.tolist()]
    assert sorted(order) == list(range(10))


def test_fashion_mnist_labels():
    assert d2l.get_fashion_mnist_labels(gt.tensor([0, 9, 5])) == ["t-shirt", "ankle boot", "sandal"]
    assert d2l.get_fashion_mnist_labels([1, 2]) == ["trouser", "pullover"]


def test_dataloader_workers_is_in_process():
    assert d2l.get_dataloader_workers() == 0


def _fashion_mnist_available():
    if not os.path.isdir(FASHION_MNIST_DIR):
        return False
    try:
        from glasstorch.vision import datasets, transforms
    except ImportError:
        return False
    return all(hasattr(m, name) for m, name in
               [(datasets, "FashionMNIST"), (transforms, "ToTensor"), (transforms, "Resize")])


needs_fashion_mnist = pytest.mark.skipif(
    not _fashion_mnist_available(),
    reason="Fashion-MNIST (apt install dataset-fashion-mnist) or glasstorch.vision missing")


@needs_fashion_mnist
def test_load_data_fashion_mnist(monkeypatch, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)  # the root is '../data', as in the book
    train_iter, test_iter = d2l.load_data_fashion_mnist(256)
    assert len(train_iter.dataset) == 60000 and len(test_iter.dataset) == 10000
    assert len(train_iter) == 235 and len(test_iter) == 40
    X, y = next(iter(train_iter))
    assert X.shape == (256, 1, 28, 28) and X.dtype == gt.float32 and y.dtype == gt.int64
    assert 0 <= X.min().item() and X.max().item() <= 1
    X, y = next(iter(d2l.load_data_fashion_mnist(32, resize=64)[1]))
    assert X.shape == (32, 1, 64, 64) and y.shape == (32,)


# --- training helpers ------------------------------------------------------------------------

def test_linreg_and_squared_loss():
    X = gt.tensor([[1.0, 2.0], [3.0, 4.0]])
    w = gt.tensor([[1.0], [-1.0]])
    y_hat = d2l.linreg(X, w, 0.5)
    assert y_hat.tolist() == [[-0.5], [-0.5]]
    loss = d2l.squared_loss(y_hat, gt.tensor([0.5, -1.5]))
    assert loss.shape == (2, 1) and loss.tolist() == [[0.5], [0.5]]


def test_sgd_steps_on_the_mean_gradient_and_zeroes_it():
    w = gt.tensor([1.0, 2.0], requires_grad=True)
    (w * gt.tensor([4.0, 8.0])).sum().backward()
    d2l.sgd([w], lr=0.5, batch_size=4)
    assert w.tolist() == [0.5, 1.0] and w.grad.tolist() == [0.0, 0.0] and w.is_leaf


def test_accuracy_counts_correct_predictions():
    y = gt.tensor([0, 2, 1])
    scores = gt.tensor([[0.9, 0.1, 0.0], [0.1, 0.2, 0.7], [0.8, 0.1, 0.1]])
    assert d2l.accuracy(scores, y) == 2.0
    assert d2l.accuracy(gt.tensor([0, 2, 2]), y) == 2.0  # already class indices
    assert isinstance(d2l.accuracy(scores, y), float)


def _blobs(n=600, seed=0):
    """Three well-separated Gaussian classes in 2-d: any linear classifier learns them."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    centres = np.array([[4.0, 0.0], [-4.0, 0.0], [0.0, 4.0]])
    X = centres[y] + rng.normal(size=(n, 2))
    return gt.tensor(X, dtype=gt.float32), gt.tensor(y)


def test_evaluate_accuracy_puts_a_module_in_eval_mode():
    X, y = _blobs()
    net = nn.Sequential(nn.Linear(2, 3), nn.Dropout(0.5))
    net.train()
    acc = d2l.evaluate_accuracy(net, d2l.load_array((X, y), 100, is_train=False))
    assert not net.training and 0 <= acc <= 1
    with gt.no_grad():
        expected = (net(X).argmax(1) == y).float().mean().item()
    assert acc == pytest.approx(expected)


def test_train_epoch_ch3_matches_torch(torch):
    X, y = _blobs(200)
    net = nn.Sequential(nn.Linear(2, 3))
    ref = torch.nn.Sequential(torch.nn.Linear(2, 3))
    with torch.no_grad():
        ref[0].weight.copy_(torch.from_numpy(net[0].weight.detach().numpy()))
        ref[0].bias.copy_(torch.from_numpy(net[0].bias.detach().numpy()))
    loss_sum, correct = 0.0, 0.0
    opt = torch.optim.SGD(ref.parameters(), lr=0.1)
    Xt, yt = torch.from_numpy(X.numpy()), torch.from_numpy(y.numpy())
    for i in range(0, 200, 50):
        out = ref(Xt[i:i + 50])
        l = torch.nn.functional.cross_entropy(out, yt[i:i + 50], reduction="none")
        opt.zero_grad()
        l.mean().backward()
        opt.step()
        loss_sum += l.sum().item()
        correct += (out.argmax(1) == yt[i:i + 50]).sum().item()
    ours = d2l.train_epoch_ch3(net, d2l.load_array((X, y), 50, is_train=False),
                               nn.CrossEntropyLoss(reduction="none"),
                               gt.optim.SGD(net.parameters(), lr=0.1))
    assert ours == pytest.approx((loss_sum / 200, correct / 200), rel=1e-5)
    assert net.training
    np.testing.assert_allclose(net[0].weight.detach().numpy(), ref[0].weight.detach().numpy(),
                               rtol=1e-5, atol=1e-6)


def test_train_epoch_ch3_with_a_hand_written_updater():
    X, y = _blobs(200)
    W = gt.zeros((2, 3), requires_grad=True)
    b = gt.zeros(3, requires_grad=True)
    sizes = []

    def updater(batch_size):
        sizes.append(batch_size)
        d2l.sgd([W, b], 0.1, batch_size)

    def cross_entropy(y_hat, y):
        return -gt.log(gt.softmax(y_hat, dim=1)[range(len(y_hat)), y])

    loss, acc = d2l.train_epoch_ch3(lambda X: X @ W + b, d2l.load_array((X, y), 64), cross_entropy,
                                    updater)
    assert sizes == [64, 64, 64, 8] and 0 < loss and 0 <= acc <= 1
    assert W.abs().sum().item() > 0


def test_train_ch3_trains_and_keeps_the_books_checks(plt, capsys):
    pytest.importorskip("tqdm")  # its Animator shows a progress bar in a terminal
    X, y = _blobs(600)
    train_iter = d2l.load_array((X[:500], y[:500]), 50)
    test_iter = d2l.load_array((X[500:], y[500:]), 50, is_train=False)
    net = nn.Sequential(nn.Linear(2, 3))
    loss = nn.CrossEntropyLoss(reduction="none")
    d2l.train_ch3(net, train_iter, test_iter, loss, 3, gt.optim.SGD(net.parameters(), lr=0.1))
    assert d2l.evaluate_accuracy(net, test_iter) > 0.9
    assert "animator.png" in capsys.readouterr().err

    frozen = nn.Sequential(nn.Linear(2, 3))
    with pytest.raises(AssertionError, match="train_ch3: training loss"):
        d2l.train_ch3(frozen, train_iter, test_iter, loss, 2,
                      gt.optim.SGD(frozen.parameters(), lr=0.0))


def test_evaluate_loss_is_the_mean_over_all_examples():
    X = gt.arange(6, dtype=gt.float32).reshape(6, 1)
    y = gt.zeros(6)
    loss = d2l.evaluate_loss(lambda X: X, d2l.load_array((X, y), 4, is_train=False),
                             nn.MSELoss(reduction="none"))
    assert loss == pytest.approx(sum(v * v for v in range(6)) / 6)


def test_predict_ch3_titles_truth_and_prediction(plt):
    images = gt.rand(8, 1, 28, 28)
    labels = gt.tensor([0, 1, 2, 3, 4, 5, 6, 7])
    assert d2l.predict_ch3(lambda X: gt.zeros(len(X), 10), [(images, labels)], n=4) is None
    axes = plt.gcf().axes  # the book's returns nothing: the figure is pyplot's current one
    assert [ax.get_title() for ax in axes] == ["t-shirt\nt-shirt", "trouser\nt-shirt",
                                                "pullover\nt-shirt", "dress\nt-shirt"]


def test_load_data_fashion_mnist_offline_does_not_advise_download_true(monkeypatch, tmp_path):
    from glasstorch.vision import datasets

    monkeypatch.setattr(datasets.FashionMNIST, "system_folders", ())
    monkeypatch.setattr(datasets.FashionMNIST, "mirrors", ["file:///nonexistent-mirror/"])
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    with pytest.raises(RuntimeError) as err:
        d2l.load_data_fashion_mnist(256)
    message = str(err.value)  # it passed download=True already: say what else to do
    assert "could not download" in message and "download=True" not in message
    assert "network connection" in message


def test_devices_are_the_cpu_without_a_gpu():
    if gt.cuda.is_available():
        pytest.skip("a GPU is there: tests/devices/test_cuda_programs.py covers it")
    assert d2l.try_gpu() == gt.device("cpu") and d2l.try_gpu(3) == gt.device("cpu")
    assert d2l.try_all_gpus() == [gt.device("cpu")]
    assert d2l.num_gpus() == 0 and d2l.cpu() == gt.device("cpu")
    assert d2l.gpu() == gt.device("cuda:0") and d2l.gpu(1) == gt.device("cuda:1")


# --- aliases ---------------------------------------------------------------------------------

def test_aliases_call_the_framework():
    x = gt.arange(6, dtype=gt.float32).reshape(2, 3)
    assert d2l.reshape(x, (3, 2)).shape == (3, 2) and d2l.size(x) == 6
    assert d2l.reduce_sum(x).item() == 15 and d2l.reduce_sum(x, axis=0).tolist() == [3, 5, 7]
    assert d2l.reduce_mean(x).item() == 2.5 and d2l.argmax(x, axis=1).tolist() == [2, 2]
    assert d2l.astype(x, gt.int64).dtype == gt.int64 and d2l.transpose(x).shape == (3, 2)
    w = gt.ones(2, requires_grad=True)
    assert isinstance(d2l.numpy(w), np.ndarray)  # detached first: works with requires_grad
    assert d2l.concat((x, x), 0).shape == (4, 3) and d2l.stack((x, x)).shape == (2, 2, 3)
    assert d2l.to(x, gt.float64).dtype == gt.float64
    assert d2l.ones is gt.ones and d2l.tensor is gt.tensor and d2l.float32 is gt.float32
    assert d2l.abs(gt.tensor([-1.0])).item() == 1.0 and d2l.matmul is gt.matmul
    assert d2l.batch_matmul(gt.ones(2, 1, 3), gt.ones(2, 3, 1)).shape == (2, 1, 1)


# --- plotting --------------------------------------------------------------------------------

def test_plot_one_curve_several_curves_and_values_only(plt):
    x = gt.arange(0, 3, 0.5)
    d2l.plot(x, [x ** 2, 2 * x], "x", "f(x)", legend=["f", "g"], xlim=[0, 3], yscale="log")
    ax = plt.gca()
    assert len(ax.get_lines()) == 2 and ax.get_xlabel() == "x" and ax.get_ylabel() == "f(x)"
    assert ax.get_xlim() == (0, 3) and ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["f", "g"]
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), (x ** 2).numpy())
    assert tuple(plt.rcParams["figure.figsize"]) == (3.5, 2.5)

    d2l.plot(x, x * 3, figsize=(4, 2))  # the axes are cleared: one curve
    assert len(ax.get_lines()) == 1 and tuple(plt.rcParams["figure.figsize"]) == (4, 2)
    d2l.plot([1.0, 4.0, 9.0])
    np.testing.assert_allclose(ax.get_lines()[0].get_xdata(), [0, 1, 2])
    fig, axs = plt.subplots(2, 1)
    d2l.plot(x, x, axes=axs[1])
    assert len(axs[1].get_lines()) == 1 and not axs[0].get_lines()


def test_set_figsize_and_set_axes(plt):
    d2l.set_figsize((6, 4.5))
    assert tuple(plt.rcParams["figure.figsize"]) == (6, 4.5)
    ax = plt.figure().gca()
    d2l.set_axes(ax, "a", "b", [1, 2], [3, 4], "log", "linear", None)
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_xscale()) == ("a", "b", "log")
    assert ax.get_ylim() == (3, 4) and ax.get_legend() is None


def test_show_images_grid_with_titles(plt):
    axes = d2l.show_images(gt.rand(6, 28, 28), 2, 3, titles=list("abcdef"))
    assert len(axes) == 6 and [a.get_title() for a in axes] == list("abcdef")
    assert not axes[0].get_xaxis().get_visible()
    assert tuple(axes[0].figure.get_size_inches()) == (4.5, 3.0)
    assert len(d2l.show_images([np.zeros((4, 4))], 1, 1)) == 1


def test_plt_is_pyplot_and_use_svg_display_is_harmless(plt):
    assert d2l.plt is plt
    d2l.use_svg_display()


def _run(code):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)


def test_importing_glasstorch_and_d2l_does_not_import_matplotlib():
    r = _run("import sys, glasstorch, glasstorch.d2l; print('matplotlib' in sys.modules)")
    assert r.returncode == 0 and r.stdout.strip() == "False", r.stderr


def test_without_matplotlib_the_error_says_how_to_install_it():
    r = _run("import sys; sys.modules['matplotlib'] = None\n"
             "from glasstorch import d2l\n"
             "for draw in (lambda: d2l.plot([1, 2]), d2l.Animator, lambda: d2l.plt):\n"
             "    try:\n        draw()\n"
             "    except ImportError as e:\n        print('ImportError:', e)\n")
    lines = r.stdout.splitlines()
    assert len(lines) == 3, (r.stdout, r.stderr)
    assert all("pip install matplotlib" in line and "glasstorch[plot]" in line for line in lines)
