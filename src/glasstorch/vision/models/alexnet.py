"""AlexNet (Krizhevsky et al., 2012) as torchvision builds it: five convolutions, three
fully-connected layers. Input ``(N, 3, H, W)`` with H, W ≥ 63; output ``(N, num_classes)``."""

from __future__ import annotations

from ... import flatten, nn
from ._api import IMAGENET, Weights, WeightsEnum, load_weights, pick_weights, set_num_classes


class AlexNet(nn.Module):
    def __init__(self, num_classes: int = 1000, dropout: float = 0.5) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(64, 192, kernel_size=5, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(192, 384, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))  # (N, 256, 6, 6) whatever the image size
        self.classifier = nn.Sequential(
            nn.Dropout(p=dropout), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(inplace=True),
            nn.Dropout(p=dropout), nn.Linear(4096, 4096), nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes),
        )

    def forward(self, x):
        x = self.avgpool(self.features(x))
        return self.classifier(flatten(x, 1))


class AlexNet_Weights(WeightsEnum):
    IMAGENET1K_V1 = Weights("https://download.pytorch.org/models/alexnet-owt-7be5be79.pth",
                            233.1, IMAGENET)
    DEFAULT = IMAGENET1K_V1


def alexnet(*, weights=None, progress: bool = True, **kwargs) -> AlexNet:
    """AlexNet; ``weights=AlexNet_Weights.IMAGENET1K_V1`` (or ``"DEFAULT"``) loads ImageNet
    weights from the torch hub cache."""
    weights = pick_weights(AlexNet_Weights, weights, kwargs)
    set_num_classes(weights, kwargs)
    return load_weights(lambda: AlexNet(**kwargs), weights)
