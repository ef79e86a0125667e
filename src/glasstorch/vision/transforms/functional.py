"""The functions behind the transforms (``torchvision.transforms.functional``).

Images come in two kinds, as in torchvision:

- a PIL ``Image`` (needs Pillow): ``size`` is ``(width, height)``; pixels are 0..255 integers;
- a tensor image ``(..., C, H, W)``: float values in [0, 1] by convention, or uint8 0..255.

``to_tensor`` turns the first kind (or an ``H×W×C`` ndarray) into the second, scaling uint8 to
[0, 1]. Without Pillow, glasstorch's datasets hand out ``H×W`` uint8 tensors in place of PIL
images; ``to_tensor`` accepts those too (torchvision would refuse a tensor).
"""

from __future__ import annotations

import functools
import numbers
from collections.abc import Sequence
from enum import Enum

import numpy as np

from ... import _dtype
from ..._tensor import Tensor, _wrap
from ...autograd import grad_mode
from . import _resample

__all__ = [
    "InterpolationMode", "get_dimensions", "to_tensor", "pil_to_tensor", "to_pil_image",
    "normalize", "resize", "center_crop", "hflip", "vflip",
]


class InterpolationMode(Enum):
    """How ``resize`` computes new pixels (the value is the name torch's ``interpolate`` uses)."""

    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


@functools.cache  # a failed import is not cached by Python: ask once
def _pil():
    try:
        from PIL import Image
    except ImportError:
        return None
    return Image


def _is_pil_image(img) -> bool:
    image = _pil()
    return image is not None and isinstance(img, image.Image)


def _check_image_tensor(img) -> None:
    if not isinstance(img, Tensor):
        raise TypeError(f"img should be PIL Image or Tensor. Got {type(img)}")
    if img.ndim < 2:
        raise TypeError("Tensor is not a torch image.")


def get_dimensions(img) -> list[int]:
    """``[channels, height, width]`` of a PIL image or a tensor image."""
    if _is_pil_image(img):
        width, height = img.size
        return [len(img.getbands()), height, width]
    _check_image_tensor(img)
    channels = 1 if img.ndim == 2 else img.shape[-3]
    return [channels, img.shape[-2], img.shape[-1]]


# ---- conversions -------------------------------------------------------------------------------
_PIL_MODE_DTYPES = {"I": np.int32, "I;16": np.int16, "I;16B": np.int16, "F": np.float32}


def _hwc_to_tensor(arr: np.ndarray) -> Tensor:
    """``H×W×C`` array → ``C×H×W`` tensor; uint8 becomes the default float dtype / 255."""
    chw = np.ascontiguousarray(arr.transpose(2, 0, 1))
    if chw.dtype == np.uint8:
        chw = chw.astype(_dtype.get_default_dtype().np) / np.float32(255)
    return _wrap(chw)


def to_tensor(pic) -> Tensor:
    """A PIL image or ``H×W[×C]`` ndarray as a ``C×H×W`` tensor; uint8 scaled to [0, 1].

    Only uint8 data is divided by 255 (float arrays keep their values and dtype, int32 stays
    int32). A 2-D uint8 tensor (glasstorch's stand-in for a PIL image when Pillow is missing)
    is treated as a grayscale image.
    """
    if isinstance(pic, Tensor) and pic.ndim == 2 and pic.dtype == _dtype.uint8:
        return _hwc_to_tensor(pic._data[:, :, None])
    if isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        return _hwc_to_tensor(pic[:, :, None] if pic.ndim == 2 else pic)
    if not _is_pil_image(pic):
        raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
    arr = np.array(pic, dtype=_PIL_MODE_DTYPES.get(pic.mode, np.uint8), copy=True)
    if pic.mode == "1":
        arr = arr * np.uint8(255)
    width, height = pic.size
    return _hwc_to_tensor(arr.reshape(height, width, len(pic.getbands())))


def pil_to_tensor(pic) -> Tensor:
    """A PIL image as a ``C×H×W`` tensor of its own pixel type (no scaling)."""
    if not _is_pil_image(pic):
        raise TypeError(f"pic should be PIL Image. Got {type(pic)}")
    arr = np.array(pic, copy=True)
    width, height = pic.size
    return _wrap(np.ascontiguousarray(
        arr.reshape(height, width, len(pic.getbands())).transpose(2, 0, 1)))


_MODES_BY_CHANNELS = {1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}


def to_pil_image(pic, mode: str | None = None):
    """A ``C×H×W`` tensor or ``H×W×C`` ndarray as a PIL image (needs Pillow).

    Float tensors are first scaled by 255 and truncated to uint8 (unless ``mode='F'``). One
    channel gives mode ``L`` (uint8), ``I;16``, ``I`` or ``F``; 2, 3, 4 channels give ``LA``,
    ``RGB``, ``RGBA``.
    """
    image = _pil()
    if image is None:
        raise ImportError("to_pil_image needs Pillow: pip install pillow")
    if isinstance(pic, Tensor):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        arr = pic._data if pic.ndim == 3 else pic._data[None]
        if arr.dtype.kind == "f" and mode != "F":
            arr = (arr * arr.dtype.type(255)).astype(np.uint8)
        arr = arr.transpose(1, 2, 0)
    elif isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        arr = pic[:, :, None] if pic.ndim == 2 else pic
    else:
        raise TypeError(f"pic should be Tensor or ndarray. Got {type(pic)}.")
    channels = arr.shape[2]
    if channels == 1:
        arr = arr[:, :, 0]
        by_dtype = {np.dtype(np.uint8): "L", np.dtype(np.int16): "I;16",
                    np.dtype(np.int32): "I", np.dtype(np.float32): "F"}
        expected = by_dtype.get(arr.dtype)
        if expected is None:
            raise TypeError(f"Input type {arr.dtype} is not supported")
        if mode is not None and mode != expected and not (mode == "F" and expected == "F"):
            raise ValueError(f"Incorrect mode ({mode}) supplied for input type {arr.dtype}. "
                             f"Should be {expected}")
        return image.fromarray(arr if expected != "I;16" else arr.astype(np.uint16))
    if channels not in _MODES_BY_CHANNELS:
        raise ValueError(f"pic should not have > 4 channels. Got {channels} channels.")
    if arr.dtype != np.uint8:
        raise TypeError(f"Input type {arr.dtype} is not supported")
    mode = mode or _MODES_BY_CHANNELS[channels]
    height, width = arr.shape[:2]  # the bytes, read in the requested mode (RGB, YCbCr, HSV, ...)
    return image.frombytes(mode, (width, height), np.ascontiguousarray(arr).tobytes())


# ---- normalize ---------------------------------------------------------------------------------
def normalize(tensor: Tensor, mean: Sequence[float], std: Sequence[float],
              inplace: bool = False) -> Tensor:
    """``(tensor - mean[c]) / std[c]`` for each channel ``c`` of a float ``(..., C, H, W)``."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
    _check_image_tensor(tensor)
    if not tensor.is_floating_point():
        raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
    if tensor.ndim < 3:
        raise ValueError("Expected tensor to be a tensor image of size (..., C, H, W). Got "
                         f"tensor.size() = {tensor.size()}")
    np_dtype = tensor._data.dtype
    mean_arr = np.asarray(mean._data if isinstance(mean, Tensor) else mean, dtype=np_dtype)
    std_arr = np.asarray(std._data if isinstance(std, Tensor) else std, dtype=np_dtype)
    if (std_arr == 0).any():
        raise ValueError(f"std evaluated to zero after conversion to {tensor.dtype}, leading to "
                         "division by zero.")
    if mean_arr.ndim == 1:
        mean_arr = mean_arr.reshape(-1, 1, 1)
    if std_arr.ndim == 1:
        std_arr = std_arr.reshape(-1, 1, 1)
    channels = tensor.shape[-3]
    for arr in (mean_arr, std_arr):
        if arr.ndim == 3 and arr.shape[0] not in (1, channels):
            raise RuntimeError(f"The size of tensor a ({channels}) must match the size of tensor "
                               f"b ({arr.shape[0]}) at non-singleton dimension {tensor.ndim - 3}")
    if tensor._rg and grad_mode.state.enabled:  # keep the autograd graph: use tensor ops
        mean_t, std_t = _wrap(mean_arr), _wrap(std_arr)
        return tensor.sub_(mean_t).div_(std_t) if inplace else (tensor - mean_t) / std_t
    if not inplace:
        return _wrap((tensor._data - mean_arr) / std_arr)
    np.subtract(tensor._data, mean_arr, out=tensor._data)
    np.divide(tensor._data, std_arr, out=tensor._data)
    tensor._vc[0] += 1
    return tensor


# ---- geometry ----------------------------------------------------------------------------------
def resized_output_size(height: int, width: int, size, max_size: int | None = None) -> list[int]:
    """The ``[h, w]`` that ``resize`` produces: an int (or 1-sequence) sets the smaller edge and
    keeps the aspect ratio (the longer edge rounds down); a pair is ``(h, w)`` exactly."""
    if isinstance(size, int):
        size = [size]
    if len(size) == 2:
        if max_size is not None:
            raise ValueError("max_size should only be passed if size specifies the length of the "
                             "smaller edge, i.e. size should be an int or a sequence of length 1 "
                             "in torchscript mode.")
        return [int(size[0]), int(size[1])]
    short, long = (width, height) if width <= height else (height, width)
    new_short = int(size[0])
    new_long = int(new_short * long / short)
    if max_size is not None:
        if max_size <= new_short:
            raise ValueError(f"max_size = {max_size} must be strictly greater than the requested "
                             f"size for the smaller edge size = {size}")
        if new_long > max_size:
            new_short, new_long = int(max_size * new_short / new_long), max_size
    return [new_long, new_short] if width <= height else [new_short, new_long]


_PIL_FILTERS = {InterpolationMode.NEAREST: 0, InterpolationMode.LANCZOS: 1,
                InterpolationMode.BILINEAR: 2, InterpolationMode.BICUBIC: 3,
                InterpolationMode.BOX: 4, InterpolationMode.HAMMING: 5}


def resize(img, size, interpolation: InterpolationMode = InterpolationMode.BILINEAR,
           max_size: int | None = None, antialias: bool | None = True):
    """Resize a PIL image (with PIL) or a ``(..., H, W)`` tensor (bilinear or nearest, in NumPy).

    ``size``: an int sets the smaller edge (aspect ratio kept), ``(h, w)`` sets both. Tensors
    resize like ``torch.nn.functional.interpolate(align_corners=False, antialias=antialias)``;
    integer tensors are computed in float32, rounded and cast back.
    """
    if isinstance(interpolation, int):
        interpolation = {v: k for k, v in _PIL_FILTERS.items()}[interpolation]
    _, height, width = get_dimensions(img)
    out_h, out_w = resized_output_size(height, width, size, max_size)
    if (out_h, out_w) == (height, width):
        return img
    if _is_pil_image(img):
        if interpolation not in _PIL_FILTERS:
            raise ValueError(f"Interpolation {interpolation} is unsupported for PIL images")
        return img.resize((out_w, out_h), _PIL_FILTERS[interpolation])
    if interpolation not in (InterpolationMode.BILINEAR, InterpolationMode.NEAREST):
        raise NotImplementedError(
            f"glasstorch resizes tensors with BILINEAR or NEAREST only, not {interpolation}: "
            "pass a PIL image, or choose one of those two")
    mode = interpolation.value
    return _wrap(_resample.resize_float(img._data, (out_h, out_w), bool(antialias), mode))


def _setup_size(size, error_msg: str):
    """An int → ``(size, size)``; a 1-sequence → ``(s, s)``; a pair is kept as given."""
    if isinstance(size, numbers.Number):
        return int(size), int(size)
    if isinstance(size, Sequence) and len(size) == 1:
        return size[0], size[0]
    if len(size) != 2:
        raise ValueError(error_msg)
    return size


def crop_box(height: int, width: int, out_h: int, out_w: int):
    """Padding ``(left, top, right, bottom)`` then the ``(top, left)`` of a centred crop.

    The image is first padded with zeros to at least the crop size; the crop's offset is
    ``round((size - crop) / 2)`` with Python's rounding (half to even, so 1.5 → 2, 2.5 → 2).
    """
    pad_w, pad_h = max(out_w - width, 0), max(out_h - height, 0)
    padding = (pad_w // 2, pad_h // 2, (pad_w + 1) // 2, (pad_h + 1) // 2)
    height, width = height + pad_h, width + pad_w
    return padding, (int(round((height - out_h) / 2.0)), int(round((width - out_w) / 2.0)))


def center_crop(img, output_size):
    """The central ``output_size`` (int or ``(h, w)``) of an image, zero-padded if larger."""
    out_h, out_w = _setup_size(output_size, "Please provide only two dimensions (h, w) for size.")
    _, height, width = get_dimensions(img)
    (left, top, right, bottom), (y, x) = crop_box(height, width, out_h, out_w)
    if _is_pil_image(img):
        if left or top or right or bottom:
            padded = _pil().new(img.mode, (width + left + right, height + top + bottom), 0)
            padded.paste(img, (left, top))
            img = padded
        return img.crop((x, y, x + out_w, y + out_h))
    arr = img._data
    if left or top or right or bottom:
        pads = [(0, 0)] * (arr.ndim - 2) + [(top, bottom), (left, right)]
        arr = np.pad(arr, pads)
    return _wrap(np.ascontiguousarray(arr[..., y:y + out_h, x:x + out_w]))


def hflip(img):
    """Mirror an image left ↔ right."""
    if _is_pil_image(img):
        return img.transpose(_pil().Transpose.FLIP_LEFT_RIGHT)
    _check_image_tensor(img)
    return img.flip(-1)


def vflip(img):
    """Mirror an image top ↔ bottom."""
    if _is_pil_image(img):
        return img.transpose(_pil().Transpose.FLIP_TOP_BOTTOM)
    _check_image_tensor(img)
    return img.flip(-2)
