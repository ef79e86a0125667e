"""glasstorch.vision: torchvision's datasets, transforms, image reading and models for the
learners' image work.

``glasstorch run`` makes ``import torchvision`` resolve here, so
``torchvision.datasets.FashionMNIST``, ``torchvision.transforms.ToTensor``,
``torchvision.io.read_image`` and ``torchvision.models.resnet18`` are the objects of
``datasets``, ``transforms``, ``io`` and ``models``.
"""

from .. import __version__
from .._missing import module_getattr as _module_getattr
from . import datasets, io, models, transforms

__all__ = ["datasets", "io", "models", "transforms"]

__getattr__ = _module_getattr(__name__)  # a torch name not here yet says so
