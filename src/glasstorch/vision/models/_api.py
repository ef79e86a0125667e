"""torchvision's weights API: ``VGG16_Weights.IMAGENET1K_V1``, ``weights="DEFAULT"``, and
loading a pretrained state dict from the torch hub cache (glasstorch never downloads)."""

from __future__ import annotations

import enum
import re
import warnings
from dataclasses import dataclass, field
from functools import partial
from typing import Callable


def _preset(crop_size: int = 224, resize_size: int = 256):
    """``weights.transforms``: the preprocessing the weights were trained with."""
    from ..transforms._presets import ImageClassification

    return partial(ImageClassification, crop_size=crop_size, resize_size=resize_size)


@dataclass(frozen=True)
class Weights:
    """Where a model's pretrained weights come from, and what they are."""

    url: str
    size_mb: float
    meta: dict = field(default_factory=dict)
    resize_size: int = 256  # what transforms() resizes the smaller edge to (crop: 224)

    @property
    def transforms(self) -> Callable:
        return _preset(224, self.resize_size)

    @property
    def file_name(self) -> str:
        return self.url.rsplit("/", 1)[-1]


class WeightsEnum(enum.Enum):
    """The pretrained weights one architecture has (``IMAGENET1K_V1``, ``DEFAULT``)."""

    @classmethod
    def verify(cls, obj):
        """``obj`` (None, a member, or a member's name such as ``"IMAGENET1K_V1"``) as a member."""
        if obj is None or isinstance(obj, cls):
            return obj
        if isinstance(obj, str):
            try:
                return cls[obj.replace(cls.__name__ + ".", "")]
            except KeyError:
                raise ValueError(
                    f"Failed to find Weights {obj} in {cls.__name__}. Try one of "
                    f"{[m.name for m in cls]}") from None
        raise TypeError(f"Invalid Weights class provided; expected {cls.__name__} but received "
                        f"{obj.__class__.__name__}.")

    @property
    def url(self) -> str:
        return self.value.url

    @property
    def meta(self) -> dict:
        return self.value.meta

    @property
    def transforms(self) -> Callable:
        """``weights.transforms()`` builds the preprocessing these weights expect
        (``ImageClassification``: resize, centre crop, scale, normalise)."""
        return self.value.transforms

    def get_state_dict(self, progress: bool = True, check_hash: bool = False):
        """The weights, from the torch hub cache (``hub.cached_file`` says how to get them
        there), read by ``glasstorch.load`` with ``weights_only=True``."""
        from ... import hub
        from ...serialization import load

        path = hub.cached_file(self.url, what=f"{type(self).__name__}.{self.name}",
                               size_mb=self.value.size_mb)
        return load(path, map_location="cpu", weights_only=True)

    def __repr__(self) -> str:
        return f"{type(self).__name__}.{self.name}"


def pick_weights(cls, weights, kwargs: dict):
    """The builder's ``weights`` argument as a member (or None), accepting torchvision's
    deprecated ``pretrained=True``."""
    if "pretrained" in kwargs:
        pretrained = kwargs.pop("pretrained")
        warnings.warn(
            "The parameter 'pretrained' is deprecated since 0.13 and may be removed in the "
            "future, please use 'weights' instead.", UserWarning, stacklevel=3)
        if pretrained and weights is None:
            weights = cls.IMAGENET1K_V1
    return cls.verify(weights)


def set_num_classes(weights, kwargs: dict) -> None:
    """Pretrained ImageNet weights fix ``num_classes`` at 1000 (as torchvision checks)."""
    if weights is None:
        return
    expected = len(weights.meta.get("categories") or []) or 1000
    given = kwargs.setdefault("num_classes", expected)
    if given != expected:
        raise ValueError(f"The parameter 'num_classes' expected value {expected} but got "
                         f"{given} instead.")


def load_weights(build, weights, rename=None):
    """``build()``, with ``weights`` (a member or None) loaded into it; ``rename`` fixes old key
    names. The file is read first: a missing one is reported before seconds go into building."""
    state = None if weights is None else weights.get_state_dict()
    model = build()
    if state is not None:
        if rename is not None:
            state = type(state)((rename(k), v) for k, v in state.items())
        model.load_state_dict(state)
    return model


_DENSE_OLD_KEY = re.compile(
    r"^(.*denselayer\d+\.(?:norm|relu|conv))\.((?:[12])\.(?:weight|bias|running_mean|running_var))$")


def densenet_key(key: str) -> str:
    """DenseNet checkpoints name ``norm.1`` what the modules call ``norm1``."""
    match = _DENSE_OLD_KEY.match(key)
    return match.group(1) + match.group(2) if match else key


IMAGENET = {"num_classes": 1000, "dataset": "ImageNet-1K"}
