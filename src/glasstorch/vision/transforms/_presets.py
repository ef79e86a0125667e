"""The preprocessing a pretrained classifier expects (``weights.transforms()``), as torchvision's
``ImageClassification`` preset: resize the smaller edge, crop the centre, scale to [0, 1] and
normalise with ImageNet's mean and standard deviation."""

from __future__ import annotations

import numpy as np

from ... import nn
from ..._tensor import Tensor, _wrap
from . import functional as F
from .functional import InterpolationMode


class ImageClassification(nn.Module):
    """A PIL image or a ``(..., C, H, W)`` tensor (``uint8`` 0–255 or float 0–1) → a float32
    tensor ``(..., 3, crop_size, crop_size)`` ready for an ImageNet model."""

    def __init__(self, *, crop_size: int, resize_size: int = 256,
                 mean: tuple = (0.485, 0.456, 0.406), std: tuple = (0.229, 0.224, 0.225),
                 interpolation: InterpolationMode = InterpolationMode.BILINEAR,
                 antialias: bool | None = True) -> None:
        super().__init__()
        self.crop_size = [crop_size]
        self.resize_size = [resize_size]
        self.mean = list(mean)
        self.std = list(std)
        self.interpolation = interpolation
        self.antialias = antialias

    def forward(self, img) -> Tensor:
        img = F.resize(img, self.resize_size, interpolation=self.interpolation,
                       antialias=self.antialias)
        img = F.center_crop(img, self.crop_size)
        if not isinstance(img, Tensor):
            img = F.pil_to_tensor(img)
        if img.dtype.name == "uint8":  # 0–255 → 0–1, as convert_image_dtype
            img = _wrap(img._data.astype(np.float32) / np.float32(255))
        else:
            img = img.float()
        return F.normalize(img, mean=self.mean, std=self.std)

    def __repr__(self) -> str:
        lines = [f"crop_size={self.crop_size}", f"resize_size={self.resize_size}",
                 f"mean={self.mean}", f"std={self.std}", f"interpolation={self.interpolation}"]
        return self.__class__.__name__ + "(\n    " + "\n    ".join(lines) + "\n)"

    def describe(self) -> str:
        return (
            "Accepts ``PIL.Image``, batched ``(B, C, H, W)`` and single ``(C, H, W)`` image "
            "``torch.Tensor`` objects. The images are resized to "
            f"``resize_size={self.resize_size}`` using ``interpolation={self.interpolation}``, "
            f"followed by a central crop of ``crop_size={self.crop_size}``. Finally the values "
            "are first rescaled to ``[0.0, 1.0]`` and then normalized using "
            f"``mean={self.mean}`` and ``std={self.std}``."
        )
