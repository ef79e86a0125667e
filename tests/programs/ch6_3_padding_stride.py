"""d2l 6.3 (padding and stride): output shapes of nn.Conv2d, checked against the formula
floor((n + 2p - k) / s) + 1 on each side."""

import torch
from torch import nn


def output_shape(conv, height, width):
    x = torch.rand(size=(1, 1, height, width))
    return conv(x).shape[2:]


def formula(n, k, p, s):
    return (n + 2 * p - k) // s + 1


cases = [
    dict(kernel_size=3, padding=1),
    dict(kernel_size=(5, 3), padding=(2, 1)),
    dict(kernel_size=3, padding=1, stride=2),
    dict(kernel_size=(3, 5), padding=(0, 1), stride=(3, 4)),
    dict(kernel_size=1),
    dict(kernel_size=(2, 2), stride=(1, 3)),
]
for kwargs in cases:
    conv = nn.Conv2d(1, 1, **kwargs)
    shape = output_shape(conv, 8, 8)
    k, p, s = conv.kernel_size, conv.padding, conv.stride
    expected = tuple(formula(8, k[i], p[i], s[i]) for i in range(2))
    print(kwargs, "->", shape, tuple(shape) == expected)
print(output_shape(nn.Conv2d(1, 1, kernel_size=3, padding=1, stride=2), 7, 9))
print(nn.Conv2d(1, 1, kernel_size=(3, 5), padding=(0, 1), stride=(3, 4)))
