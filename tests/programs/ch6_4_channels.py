"""d2l 6.4 (multiple input and output channels): sums over input channels, one kernel stack per
output channel, and the 1×1 convolution as a matrix product; then the same with nn.Conv2d."""

import torch
from torch import nn


def corr2d(x, k):
    """2-D cross-correlation as a sum of shifted copies of x, one per kernel element."""
    kh, kw = k.shape
    h, w = x.shape[0] - kh + 1, x.shape[1] - kw + 1
    return sum(x[a:a + h, b:b + w] * k[a, b] for a in range(kh) for b in range(kw))


def corr2d_in(x, k):
    """x: (c_in, h, w), k: (c_in, kh, kw): one 2-D result, summed over the input channels."""
    return sum(corr2d(x_c, k_c) for x_c, k_c in zip(x, k))


def corr2d_in_out(x, k):
    """k: (c_out, c_in, kh, kw): one output channel per kernel stack."""
    return torch.stack([corr2d_in(x, k_o) for k_o in k], 0)


def conv_1x1(x, k):
    c_in, h, w = x.shape
    c_out = k.shape[0]
    return torch.matmul(k.reshape((c_out, c_in)), x.reshape((c_in, h * w))).reshape((c_out, h, w))


X = torch.tensor([[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]],
                  [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]])
K = torch.tensor([[[0.0, 1.0], [2.0, 3.0]], [[1.0, 2.0], [3.0, 4.0]]])
print(corr2d_in(X, K))
K3 = torch.stack((K, K + 1, K + 2), 0)
print(K3.shape)
print(corr2d_in_out(X, K3))

x = torch.normal(0, 1, (3, 3, 3))
k = torch.normal(0, 1, (2, 3, 1, 1))
# the two sum the same products in a different order: equal up to float32 rounding
print(torch.allclose(conv_1x1(x, k), corr2d_in_out(x, k), atol=1e-5))

conv = nn.Conv2d(2, 3, kernel_size=2, bias=False)
with torch.no_grad():
    conv.weight.copy_(K3)
Y = conv(X.unsqueeze(0))
print(Y.shape, torch.allclose(Y[0], corr2d_in_out(X, K3)))
print(Y.sum(), Y.grad_fn is not None)
pointwise = nn.Conv2d(3, 2, kernel_size=1, bias=False)
with torch.no_grad():
    pointwise.weight.copy_(k)
print(torch.allclose(pointwise(x.unsqueeze(0))[0], conv_1x1(x, k), atol=1e-5))
