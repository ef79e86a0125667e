"""(f) Iterating Fashion-MNIST through a DataLoader of batch 256, as d2l times it.

With torchvision (on glasstorch: `glasstorch.vision`), the dataset is
`torchvision.datasets.FashionMNIST(root, train=True, transform=ToTensor())`. PyTorch's torchvision
is not installable here, so without it the same arrays go into a `TensorDataset` (N, 1, 28, 28)
float32 — the fair comparison of what the issue asks for: glasstorch's dataset path against torch's
DataLoader fetching item by item. The `path` metric (1 = torchvision dataset, 0 = TensorDataset)
says which one ran. Only the epoch of iteration is timed; the dataset construction time is
reported as `build_s`.
"""

import os
import tempfile
import time

import torch
from _bench import fashion_mnist, quick, report
from torch.utils.data import DataLoader, TensorDataset

try:
    from torchvision import datasets, transforms
except ImportError:
    datasets = None

start = time.perf_counter()
dataset = None
if datasets is not None:
    # download=True where the Debian package dataset-fashion-mnist is installed: glasstorch.vision
    # then links its files under root, as on the learners' machines that installed it. (The real
    # torchvision would download them; offline it raises here, and the TensorDataset below is
    # used; `path` reports which one ran.)
    root = os.path.join(tempfile.gettempdir(), "glasstorch-bench-root")
    try:
        dataset = datasets.FashionMNIST(root=root, train=True, transform=transforms.ToTensor(),
                                        download=os.path.isdir("/usr/share/datasets/fashion-mnist"))
    except RuntimeError:
        datasets = None
    if dataset is not None and quick():
        dataset = torch.utils.data.Subset(dataset, range(1024))
if dataset is None:
    X, y = fashion_mnist(train=True)
    dataset = TensorDataset(torch.from_numpy(X.reshape(-1, 1, 28, 28)), torch.from_numpy(y))
build_seconds = time.perf_counter() - start

start = time.perf_counter()
samples = 0
for batch in DataLoader(dataset, 256, shuffle=True):
    samples += len(batch[1])
seconds = time.perf_counter() - start
pixel_mean = float(batch[0].mean())  # last batch: a check that the values are in [0, 1]
report(seconds, samples=samples, path=int(datasets is not None), build_s=round(build_seconds, 4),
       last_batch_mean=round(pixel_mean, 4))
