"""Ready-made datasets (``torchvision.datasets``): ``MNIST`` and ``FashionMNIST``."""

from .mnist import MNIST, FashionMNIST, StandardTransform, VisionDataset

__all__ = ["MNIST", "FashionMNIST", "VisionDataset", "StandardTransform"]
