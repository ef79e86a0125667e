"""Image transforms (``torchvision.transforms``): ToTensor, Normalize, Resize, Compose, ...

The classes live in ``transforms.py``, the functions they call in ``functional`` (also
importable as ``torchvision.transforms.functional`` under ``glasstorch run``).
"""

from . import functional
from .functional import InterpolationMode
from .transforms import (
    CenterCrop,
    Compose,
    Lambda,
    Normalize,
    PILToTensor,
    RandomHorizontalFlip,
    Resize,
    ToPILImage,
    ToTensor,
)

__all__ = [
    "Compose", "ToTensor", "PILToTensor", "ToPILImage", "Normalize", "Resize", "CenterCrop",
    "RandomHorizontalFlip", "Lambda", "InterpolationMode", "functional",
]
