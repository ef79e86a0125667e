"""The transform classes (``torchvision.transforms``): callables applied to each sample.

``Compose([Resize(64), ToTensor(), Normalize((0.5,), (0.5,))])`` chains them. Those that hold
parameters or randomness (``Normalize``, ``Resize``, ``CenterCrop``, ``RandomHorizontalFlip``)
are ``nn.Module`` s, as in torchvision: calling one runs its ``forward``. Each prints as
torchvision prints it.
"""

from __future__ import annotations

from collections.abc import Sequence

from ... import _sampling
from ...nn import Module
from . import functional as F
from .functional import InterpolationMode

__all__ = [
    "Compose", "ToTensor", "PILToTensor", "ToPILImage", "Normalize", "Resize", "CenterCrop",
    "RandomHorizontalFlip", "Lambda", "InterpolationMode",
]


class Compose:
    """Apply ``transforms`` one after the other: ``Compose([a, b])(x) == b(a(x))``."""

    def __init__(self, transforms) -> None:
        self.transforms = transforms

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self) -> str:
        inner = "".join(f"\n    {t}" for t in self.transforms)
        return f"{type(self).__name__}({inner}\n)"


class ToTensor:
    """PIL image or ``H×W×C`` uint8 ndarray → ``C×H×W`` float tensor in [0, 1] (see
    ``functional.to_tensor``: only uint8 input is scaled)."""

    def __call__(self, pic):
        return F.to_tensor(pic)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class PILToTensor:
    """PIL image → ``C×H×W`` tensor of its own pixel type, not scaled."""

    def __call__(self, pic):
        return F.pil_to_tensor(pic)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class ToPILImage:
    """``C×H×W`` tensor or ``H×W×C`` ndarray → PIL image (needs Pillow)."""

    def __init__(self, mode: str | None = None) -> None:
        self.mode = mode

    def __call__(self, pic):
        return F.to_pil_image(pic, self.mode)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({'' if self.mode is None else f'mode={self.mode}'})"


class Lambda:
    """Wrap any function as a transform: ``Lambda(lambda x: x.reshape(-1))``."""

    def __init__(self, lambd) -> None:
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {type(lambd).__name__!r}")
        self.lambd = lambd

    def __call__(self, img):
        return self.lambd(img)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Normalize(Module):
    """``(x - mean[c]) / std[c]`` per channel of a float tensor image ``(..., C, H, W)``.

    ``Normalize((0.5,), (0.5,))`` maps [0, 1] to [-1, 1]. ``inplace=True`` overwrites its input.
    """

    def __init__(self, mean, std, inplace: bool = False) -> None:
        super().__init__()
        self.mean = mean
        self.std = std
        self.inplace = inplace

    def forward(self, tensor):
        return F.normalize(tensor, self.mean, self.std, self.inplace)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(mean={self.mean}, std={self.std})"


class Resize(Module):
    """Resize to ``size``: an int sets the smaller edge (aspect kept), ``(h, w)`` both.

    PIL images resize with PIL; tensors with NumPy, as ``interpolate(antialias=antialias)``.
    """

    def __init__(self, size, interpolation=InterpolationMode.BILINEAR, max_size=None,
                 antialias: bool | None = True) -> None:
        super().__init__()
        if not isinstance(size, (int, Sequence)):
            raise TypeError(f"Size should be int or sequence. Got {type(size)}")
        if isinstance(size, Sequence) and len(size) not in (1, 2):
            raise ValueError("If size is a sequence, it should have 1 or 2 values")
        self.size = size
        self.max_size = max_size
        if isinstance(interpolation, int):
            interpolation = {v: k for k, v in F._PIL_FILTERS.items()}[interpolation]
        self.interpolation = interpolation
        self.antialias = antialias

    def forward(self, img):
        return F.resize(img, self.size, self.interpolation, self.max_size, self.antialias)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(size={self.size}, "
                f"interpolation={self.interpolation.value}, max_size={self.max_size}, "
                f"antialias={self.antialias})")


class CenterCrop(Module):
    """The central ``size`` (int: square; ``(h, w)``) of the image, zero-padded if larger."""

    def __init__(self, size) -> None:
        super().__init__()
        self.size = F._setup_size(size, "Please provide only two dimensions (h, w) for size.")

    def forward(self, img):
        return F.center_crop(img, self.size)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(size={self.size})"


class RandomHorizontalFlip(Module):
    """Mirror the image left ↔ right with probability ``p``.

    The coin is ``torch.rand(1) < p`` from the default generator, so ``manual_seed`` makes the
    flips reproducible.
    """

    def __init__(self, p: float = 0.5) -> None:
        super().__init__()
        self.p = p

    def forward(self, img):
        if _sampling.rand(1)._data[0] < self.p:
            return F.hflip(img)
        return img

    def __repr__(self) -> str:
        return f"{type(self).__name__}(p={self.p})"
