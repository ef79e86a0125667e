"""The networks of d2l chapter 7 (modern CNNs), built from the book's descriptions for either
library: every builder takes ``lib`` (glasstorch or torch) and uses only ``lib.nn``.

Used by ``test_d2l_chapter7.py``. The layer sizes are the book's; ``size`` arguments only adapt
the first fully connected layer of AlexNet and VGG to a smaller input (they have no global
pooling, so their flattened width depends on the image size).
"""

from __future__ import annotations


def alexnet(lib, size: int = 224):
    """7.1: five convolutions (11×11/4, 5×5, three 3×3), three max pools, two 4096-wide hidden
    layers with dropout. A 224×224 image is 256×5×5 before the classifier."""
    nn = lib.nn
    side = ((((size - 11 + 2) // 4 + 1 - 3) // 2 + 1 - 3) // 2 + 1 - 3) // 2 + 1
    return nn.Sequential(
        nn.Conv2d(1, 96, kernel_size=11, stride=4, padding=1), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Conv2d(96, 256, kernel_size=5, padding=2), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Conv2d(256, 384, kernel_size=3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 384, kernel_size=3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2), nn.Flatten(),
        nn.Linear(256 * side * side, 4096), nn.ReLU(), nn.Dropout(p=0.5),
        nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(p=0.5),
        nn.Linear(4096, 10))


def vgg_block(lib, num_convs: int, in_channels: int, out_channels: int):
    """``num_convs`` 3×3 convolutions (padding 1) with ReLU, then a 2×2 max pool (halves H, W)."""
    nn = lib.nn
    layers = []
    for _ in range(num_convs):
        layers += [nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1), nn.ReLU()]
        in_channels = out_channels
    layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
    return nn.Sequential(*layers)


def vgg11(lib, ratio: int = 4, size: int = 224):
    """7.2: VGG-11 (blocks of 1, 1, 2, 2, 2 convolutions), channels divided by ``ratio`` as the
    book does to train it on Fashion-MNIST."""
    nn = lib.nn
    conv_arch = [(n, c // ratio) for n, c in ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512))]
    blocks, in_channels = [], 1
    for num_convs, out_channels in conv_arch:
        blocks.append(vgg_block(lib, num_convs, in_channels, out_channels))
        in_channels = out_channels
    side = size // 32
    return nn.Sequential(
        *blocks, nn.Flatten(),
        nn.Linear(in_channels * side * side, 4096), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(4096, 10))


def nin_block(lib, in_channels, out_channels, kernel_size, strides, padding):
    """One convolution followed by two 1×1 convolutions (per-pixel MLP), each with ReLU."""
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size, strides, padding), nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU())


def nin(lib):
    """7.3: four NiN blocks, the last with 10 channels, averaged over H, W: no dense layer."""
    nn = lib.nn
    return nn.Sequential(
        nin_block(lib, 1, 96, kernel_size=11, strides=4, padding=0),
        nn.MaxPool2d(3, stride=2),
        nin_block(lib, 96, 256, kernel_size=5, strides=1, padding=2),
        nn.MaxPool2d(3, stride=2),
        nin_block(lib, 256, 384, kernel_size=3, strides=1, padding=1),
        nn.MaxPool2d(3, stride=2),
        nn.Dropout(0.5),
        nin_block(lib, 384, 10, kernel_size=3, strides=1, padding=1),
        nn.AdaptiveAvgPool2d((1, 1)),
        nn.Flatten())


def inception_class(lib):
    """7.4: four parallel paths (1×1; 1×1 → 3×3; 1×1 → 5×5; 3×3 max pool → 1×1), concatenated
    on the channel axis: ``c1 + c2[1] + c3[1] + c4`` output channels, same H and W."""
    nn, F = lib.nn, lib.nn.functional

    class Inception(nn.Module):
        def __init__(self, in_channels, c1, c2, c3, c4):
            super().__init__()
            self.p1_1 = nn.Conv2d(in_channels, c1, kernel_size=1)
            self.p2_1 = nn.Conv2d(in_channels, c2[0], kernel_size=1)
            self.p2_2 = nn.Conv2d(c2[0], c2[1], kernel_size=3, padding=1)
            self.p3_1 = nn.Conv2d(in_channels, c3[0], kernel_size=1)
            self.p3_2 = nn.Conv2d(c3[0], c3[1], kernel_size=5, padding=2)
            self.p4_1 = nn.MaxPool2d(kernel_size=3, stride=1, padding=1)
            self.p4_2 = nn.Conv2d(in_channels, c4, kernel_size=1)

        def forward(self, x):
            paths = (F.relu(self.p1_1(x)),
                     F.relu(self.p2_2(F.relu(self.p2_1(x)))),
                     F.relu(self.p3_2(F.relu(self.p3_1(x)))),
                     F.relu(self.p4_2(self.p4_1(x))))
            return lib.cat(paths, dim=1)
    return Inception


def googlenet(lib):
    """7.4: a 7×7 stem, a 1×1 and 3×3 convolution, then 2, 5 and 2 Inception blocks with max
    pools between; global average pooling to 1024 features; one linear layer."""
    nn, Inception = lib.nn, inception_class(lib)
    b1 = nn.Sequential(nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3), nn.ReLU(),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b2 = nn.Sequential(nn.Conv2d(64, 64, kernel_size=1), nn.ReLU(),
                       nn.Conv2d(64, 192, kernel_size=3, padding=1), nn.ReLU(),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b3 = nn.Sequential(Inception(192, 64, (96, 128), (16, 32), 32),
                       Inception(256, 128, (128, 192), (32, 96), 64),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b4 = nn.Sequential(Inception(480, 192, (96, 208), (16, 48), 64),
                       Inception(512, 160, (112, 224), (24, 64), 64),
                       Inception(512, 128, (128, 256), (24, 64), 64),
                       Inception(512, 112, (144, 288), (32, 64), 64),
                       Inception(528, 256, (160, 320), (32, 128), 128),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b5 = nn.Sequential(Inception(832, 256, (160, 320), (32, 128), 128),
                       Inception(832, 384, (192, 384), (48, 128), 128),
                       nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten())
    return nn.Sequential(b1, b2, b3, b4, b5, nn.Linear(1024, 10))


def lenet_bn(lib):
    """7.5 (concise version): LeNet with batch normalisation after every convolution and every
    hidden linear layer, before the sigmoid."""
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5), nn.BatchNorm2d(6), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.BatchNorm2d(16), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
        nn.Linear(256, 120), nn.BatchNorm1d(120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.BatchNorm1d(84), nn.Sigmoid(),
        nn.Linear(84, 10))


def residual_class(lib):
    """7.6's residual block for ``lib`` (glasstorch has it as ``d2l.Residual``)."""
    if lib.__name__ == "glasstorch":
        from glasstorch.d2l import Residual
        return Residual
    nn, F = lib.nn, lib.nn.functional

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


def stem(lib, channels: int = 64):
    """The first module of 7.6's ResNet and 7.7's DenseNet: 7×7/2 convolution, batch norm, ReLU,
    3×3/2 max pool (224 → 56)."""
    nn = lib.nn
    return nn.Sequential(nn.Conv2d(1, channels, kernel_size=7, stride=2, padding=3),
                         nn.BatchNorm2d(channels), nn.ReLU(),
                         nn.MaxPool2d(kernel_size=3, stride=2, padding=1))


def resnet18(lib):
    """7.6: the stem, four modules of two residual blocks (64, 128, 256, 512 channels; modules
    2-4 halve H and W), global average pooling, a linear layer."""
    nn, Residual = lib.nn, residual_class(lib)

    def module(in_channels, num_channels, num_residuals, first_block=False):
        blocks = []
        for i in range(num_residuals):
            if i == 0 and not first_block:
                blocks.append(Residual(in_channels, num_channels, use_1x1conv=True, strides=2))
            else:
                blocks.append(Residual(num_channels, num_channels))
        return nn.Sequential(*blocks)
    return nn.Sequential(stem(lib), module(64, 64, 2, first_block=True), module(64, 128, 2),
                         module(128, 256, 2), module(256, 512, 2),
                         nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(512, 10))


def conv_block(lib, in_channels, out_channels):
    """DenseNet's pre-activation unit: batch norm, ReLU, 3×3 convolution."""
    nn = lib.nn
    return nn.Sequential(nn.BatchNorm2d(in_channels), nn.ReLU(),
                         nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1))


def dense_block_class(lib):
    """7.7: each unit sees the concatenation of the block's input and all earlier outputs, and
    adds ``num_channels`` channels (the growth rate)."""
    nn = lib.nn

    class DenseBlock(nn.Module):
        def __init__(self, num_convs, input_channels, num_channels):
            super().__init__()
            self.net = nn.Sequential(*[
                conv_block(lib, num_channels * i + input_channels, num_channels)
                for i in range(num_convs)])

        def forward(self, X):
            for unit in self.net:
                X = lib.cat((X, unit(X)), dim=1)
            return X
    return DenseBlock


def transition_block(lib, in_channels, out_channels):
    """Batch norm, ReLU, 1×1 convolution to fewer channels, 2×2 average pool (halves H, W)."""
    nn = lib.nn
    return nn.Sequential(nn.BatchNorm2d(in_channels), nn.ReLU(),
                         nn.Conv2d(in_channels, out_channels, kernel_size=1),
                         nn.AvgPool2d(kernel_size=2, stride=2))


def densenet(lib):
    """7.7: the stem, four dense blocks of four units (growth rate 32) with transition blocks
    halving channels and size between them, batch norm, ReLU, global average pooling, linear."""
    nn, DenseBlock = lib.nn, dense_block_class(lib)
    num_channels, growth_rate = 64, 32
    blocks = []
    for i, num_convs in enumerate([4, 4, 4, 4]):
        blocks.append(DenseBlock(num_convs, num_channels, growth_rate))
        num_channels += num_convs * growth_rate
        if i != 3:
            blocks.append(transition_block(lib, num_channels, num_channels // 2))
            num_channels //= 2
    return nn.Sequential(stem(lib), *blocks, nn.BatchNorm2d(num_channels), nn.ReLU(),
                         nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(),
                         nn.Linear(num_channels, 10))
