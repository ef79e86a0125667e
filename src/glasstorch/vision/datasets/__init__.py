"""Ready-made datasets (``torchvision.datasets``): ``MNIST`` and ``FashionMNIST``."""

from ..._missing import module_getattr as _module_getattr
from .mnist import MNIST, FashionMNIST, StandardTransform, VisionDataset

__all__ = ["MNIST", "FashionMNIST", "VisionDataset", "StandardTransform"]

__getattr__ = _module_getattr(__name__)  # a torch name not here yet says so
