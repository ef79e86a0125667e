"""``torchvision.io``'s image reading: files to ``uint8`` tensors of shape ``(C, H, W)``.

``read_image(path)`` / ``decode_image(path_or_bytes)`` decode PNG, JPEG, GIF, BMP, WebP and the
other formats Pillow reads (Pillow is needed: ``pip install pillow``, or
``pip install 'glasstorch[vision]'``). The result is channels-first, as torchvision's: a colour
photo is ``(3, H, W)``, a grey one ``(1, H, W)``; values stay 0–255 (``uint8``), so divide by 255
(or use ``transforms.ConvertImageDtype``) before feeding a network. ``mode`` converts on the way:
``ImageReadMode.GRAY``, ``GRAY_ALPHA``, ``RGB``, ``RGB_ALPHA`` (alias ``RGBA``) or
``UNCHANGED`` (the file's own channels; palette images are expanded to RGB or RGBA).
"""

from __future__ import annotations

import enum
import io as _io
import os

import numpy as np

from .._tensor import Tensor, _wrap


class ImageReadMode(enum.Enum):
    """How many channels ``decode_image`` returns."""

    UNCHANGED = 0
    GRAY = 1
    GRAY_ALPHA = 2
    RGB = 3
    RGB_ALPHA = 4
    RGBA = RGB_ALPHA


_PIL_MODE = {ImageReadMode.GRAY: "L", ImageReadMode.GRAY_ALPHA: "LA",
             ImageReadMode.RGB: "RGB", ImageReadMode.RGB_ALPHA: "RGBA"}


def _pillow():
    try:
        from PIL import Image, ImageOps
    except ImportError:
        raise ImportError(
            "torchvision.io.decode_image needs Pillow to decode images: pip install pillow "
            "(or pip install 'glasstorch[vision]')"
        ) from None
    return Image, ImageOps


def read_file(path) -> Tensor:
    """The bytes of the file at ``path`` as a 1-D ``uint8`` tensor (for ``decode_image``)."""
    with open(os.fspath(path), "rb") as f:
        return _wrap(np.frombuffer(bytearray(f.read()), np.uint8))


def decode_image(input, mode: ImageReadMode | str = ImageReadMode.UNCHANGED,
                 apply_exif_orientation: bool = False) -> Tensor:
    """Decode an image to a ``uint8`` tensor ``(C, H, W)``.

    ``input``: a path (``str`` or ``os.PathLike``) or a 1-D ``uint8`` tensor of the file's bytes
    (``read_file``). ``mode``: an ``ImageReadMode`` (or its name, ``"RGB"``).
    ``apply_exif_orientation``: turn the picture as its EXIF data says (phone photos).
    """
    if isinstance(mode, str):
        try:
            mode = ImageReadMode[mode.upper()]
        except KeyError:
            raise ValueError(f"decode_image(): unknown mode {mode!r}; expected one of "
                             f"{[m.name for m in ImageReadMode]}") from None
    if not isinstance(mode, ImageReadMode):
        raise TypeError(f"decode_image(): mode must be an ImageReadMode, not "
                        f"{type(mode).__name__}")
    if isinstance(input, (str, os.PathLike)):
        name = os.fspath(input)
        with open(name, "rb") as f:
            data = f.read()
    elif isinstance(input, Tensor):
        if input.dtype.name != "uint8" or input.dim() != 1:
            raise RuntimeError(
                f"decode_image(): expected a 1-D uint8 tensor of the file's bytes, got "
                f"{input.dtype} of shape {list(input.shape)} (use torchvision.io.read_file, "
                "or pass the path)"
            )
        name, data = "the given bytes", input.numpy().tobytes()
    else:
        raise TypeError(f"decode_image(): input must be a path or a uint8 Tensor, not "
                        f"{type(input).__name__}")
    Image, ImageOps = _pillow()
    try:
        image = Image.open(_io.BytesIO(data))
        image.load()
    except Exception as e:  # Pillow raises several types for broken files
        raise RuntimeError(f"decode_image(): cannot decode {name} as an image ({e}); is it a "
                           "PNG/JPEG/GIF/BMP/WebP file, and complete?") from None
    if apply_exif_orientation:
        image = ImageOps.exif_transpose(image)
    if mode is ImageReadMode.UNCHANGED:
        if image.mode in ("P", "PA"):  # palette: expanded, keeping transparency
            has_alpha = image.mode == "PA" or "transparency" in image.info
            image = image.convert("RGBA" if has_alpha else "RGB")
        elif image.mode == "1":
            image = image.convert("L")
        elif image.mode not in ("L", "LA", "RGB", "RGBA"):
            if image.mode.startswith("I"):
                raise RuntimeError(
                    f"decode_image(): {name} has 16- or 32-bit pixels ({image.mode}); glasstorch "
                    "reads 8-bit images only: pass mode=ImageReadMode.GRAY to get 8 bits")
            image = image.convert("RGBA" if "A" in image.mode else "RGB")
    else:
        image = image.convert(_PIL_MODE[mode])
    pixels = np.asarray(image, dtype=np.uint8)
    if pixels.ndim == 2:
        pixels = pixels[:, :, None]
    return _wrap(np.ascontiguousarray(pixels.transpose(2, 0, 1)))


def read_image(path, mode: ImageReadMode | str = ImageReadMode.UNCHANGED,
               apply_exif_orientation: bool = False) -> Tensor:
    """Read the image file at ``path`` as a ``uint8`` tensor ``(C, H, W)`` (``decode_image``)."""
    return decode_image(os.fspath(path), mode, apply_exif_orientation)


decode_png = decode_jpeg = decode_image

__all__ = ["ImageReadMode", "decode_image", "decode_jpeg", "decode_png", "read_file",
           "read_image"]
