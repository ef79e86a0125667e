"""d2l 6.5 (pooling): max and average pooling by hand, then nn.MaxPool2d / nn.AvgPool2d with
padding and stride, compared with the hand version on a padded input."""

import torch
from torch import nn


def pool2d(x, size, mode="max", stride=None):
    ph, pw = size
    sh, sw = stride or size
    out_h, out_w = (x.shape[0] - ph) // sh + 1, (x.shape[1] - pw) // sw + 1
    out = torch.zeros((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            window = x[i * sh:i * sh + ph, j * sw:j * sw + pw]
            out[i, j] = window.max() if mode == "max" else window.mean()
    return out


X = torch.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]])
print(pool2d(X, (2, 2)))
print(pool2d(X, (2, 2), "avg"))

X = torch.arange(16, dtype=torch.float32).reshape((1, 1, 4, 4))
print(X)
print(nn.MaxPool2d(3)(X))
print(nn.MaxPool2d(3, padding=1, stride=2)(X))
print(nn.MaxPool2d((2, 3), stride=(2, 3), padding=(0, 1))(X))
print(nn.AvgPool2d(3, padding=1, stride=2)(X))
print(nn.AvgPool2d((2, 3), stride=(2, 3), padding=(0, 1))(X))

# By hand: pad with -inf for max (padding never wins), with 0 for average (counted).
grid = X[0, 0]
neg = torch.full((6, 6), float("-inf"))
neg[1:5, 1:5] = grid
zero = torch.zeros((6, 6))
zero[1:5, 1:5] = grid
print(torch.equal(pool2d(neg, (3, 3), stride=(2, 2)), nn.MaxPool2d(3, 2, 1)(X)[0, 0]))
print(torch.allclose(pool2d(zero, (3, 3), "avg", (2, 2)), nn.AvgPool2d(3, 2, 1)(X)[0, 0]))

X2 = torch.cat((X, X + 1), 1)
print(X2.shape)
print(nn.MaxPool2d(3, padding=1, stride=2)(X2))
print(nn.MaxPool2d(2)(X2).shape, nn.AvgPool2d(2, ceil_mode=True)(X2[:, :, :3, :3]))
print(nn.MaxPool2d(3, padding=1, stride=2))
