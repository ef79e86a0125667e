"""d2l 6.2 (convolutions for images), a learner's version: cross-correlation by hand, edge
detection, and learning the edge kernel back from its output with nn.Conv2d."""

import torch
from torch import nn


def cross_correlate(image, kernel):
    """Slide `kernel` over `image` (no padding, stride 1) and sum the products at each place."""
    kh, kw = kernel.shape
    rows = []
    for top in range(image.shape[0] - kh + 1):
        row = [(image[top:top + kh, left:left + kw] * kernel).sum()
               for left in range(image.shape[1] - kw + 1)]
        rows.append(torch.stack(row))
    return torch.stack(rows)


class MyConv2D(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(kernel_size))
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        return cross_correlate(x, self.weight) + self.bias


X = torch.arange(9.0).reshape(3, 3)
K = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
print(cross_correlate(X, K))

# A white image with a black vertical band: the kernel [1, -1] finds its two edges.
image = torch.ones((6, 8))
image[:, 2:6] = 0
print(image)
edge_kernel = torch.tensor([[1.0, -1.0]])
edges = cross_correlate(image, edge_kernel)
print(edges)
print(cross_correlate(image.t(), edge_kernel))   # horizontal edges: there are none

layer = MyConv2D((1, 2))
with torch.no_grad():
    layer.weight.copy_(edge_kernel)
print(layer(image).equal(edges))

# Learn the kernel back from (image, edges), starting from a fixed guess.
conv = nn.Conv2d(1, 1, kernel_size=(1, 2), bias=False)
with torch.no_grad():
    conv.weight.fill_(0.25)
inputs = image.reshape((1, 1, 6, 8))
targets = edges.reshape((1, 1, 6, 7))
lr = 3e-2
for epoch in range(10):
    loss = ((conv(inputs) - targets) ** 2).sum()
    conv.zero_grad()
    loss.backward()
    with torch.no_grad():
        conv.weight -= lr * conv.weight.grad
    if (epoch + 1) % 2 == 0:
        print(f"epoch {epoch + 1}, loss {loss.item():.3f}")
learned = conv.weight.detach().reshape((1, 2))
print("learned kernel:", [round(v, 3) for v in learned[0].tolist()])
print(conv.weight.grad.shape, conv.weight.shape)
