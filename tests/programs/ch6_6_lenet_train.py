"""d2l 6.6 (LeNet) with the book's helpers: a short train_ch6 run on a few Fashion-MNIST
batches (a real run is `glasstorch train lenet`)."""

import itertools

import torch
from d2l import torch as d2l
from torch import nn

torch.manual_seed(0)
net = nn.Sequential(
    nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(),
    nn.AvgPool2d(kernel_size=2, stride=2),
    nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(),
    nn.AvgPool2d(kernel_size=2, stride=2),
    nn.Flatten(),
    nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(),
    nn.Linear(120, 84), nn.Sigmoid(),
    nn.Linear(84, 10))

batch_size = 64
train_iter, test_iter = d2l.load_data_fashion_mnist(batch_size=batch_size)
X, y = next(iter(train_iter))
print(X.shape, X.dtype, y.shape, y.dtype)
few_train = list(itertools.islice(train_iter, 10))   # 640 images
few_test = list(itertools.islice(test_iter, 4))      # 256 images
print("accuracy before training:", round(d2l.evaluate_accuracy_gpu(net, few_test), 3) < 0.5)
d2l.train_ch6(net, few_train, few_test, 2, 0.9, d2l.try_gpu())
print(d2l.try_gpu(), d2l.try_all_gpus())
print(d2l.corr2d(torch.ones((3, 4)), torch.ones((2, 2))))
