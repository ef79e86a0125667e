"""glasstorch.vision: torchvision's datasets and transforms for the learners' image work.

``glasstorch run`` makes ``import torchvision`` resolve here, so
``torchvision.datasets.FashionMNIST`` and ``torchvision.transforms.ToTensor`` are the classes of
``datasets`` and ``transforms``.
"""

from .. import __version__
from . import datasets, transforms

__all__ = ["datasets", "transforms"]
