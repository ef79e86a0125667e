"""glasstorch.vision: torchvision's datasets and transforms for the learners' image work.

``glasstorch run`` makes ``import torchvision`` resolve here, so
``torchvision.datasets.FashionMNIST`` and ``torchvision.transforms.ToTensor`` are the classes of
``datasets`` and ``transforms``.
"""

from .. import __version__
from .._missing import module_getattr as _module_getattr
from . import datasets, transforms

__all__ = ["datasets", "transforms"]

__getattr__ = _module_getattr(__name__)  # a torch name not here yet says so
