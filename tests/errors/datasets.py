"""``glasstorch.vision``: MNIST / Fashion-MNIST without their files, with corrupt or truncated
IDX files, indexed past the end, and transforms given bad arguments. glasstorch-only (torchvision
is not the oracle here); each message must name the file or argument and say what to do."""

import gzip
import os
import struct

from glasstorch.vision import datasets, transforms

from . import ErrorCase, scratch


def _case(name, fn, exc, fix, **kw):
    return ErrorCase("datasets", name, fn, exc, (), fix, torch=False, **kw)


def _dataset(lib, name: str, root: str, **kw):
    """``lib.vision.datasets.<name>(root, ...)``, looking only in ``root`` (not in the folder a
    system package installs the files into), so the case does not depend on the machine."""
    base = getattr(datasets, name)
    return type(name, (base,), {"system_folders": ()})(root, **kw)


def _idx(shape, code=0x08, data=None) -> bytes:
    """The bytes of an IDX file: magic number, dimensions, then the uint8 data."""
    n = 1
    for d in shape:
        n *= d
    body = bytes(n) if data is None else data
    return bytes([0, 0, code, len(shape)]) + struct.pack(f">{len(shape)}I", *shape) + body


def _root(case: str, files: dict) -> str:
    """A dataset root holding FashionMNIST/raw/<file> for each of ``files``; its path."""
    root = os.path.join(scratch(), case)
    raw = os.path.join(root, "FashionMNIST", "raw")
    os.makedirs(raw, exist_ok=True)
    for name, content in files.items():
        with open(os.path.join(raw, name), "wb") as f:
            f.write(content)
    return root


_IMAGES, _LABELS = "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"


def _missing(lib):
    """FashionMNIST(root, train=False) with no files and download=False."""
    return _dataset(lib, "FashionMNIST", os.path.join(scratch(), "empty"), train=False)


def _offline(lib):
    """FashionMNIST(root, download=True) with no network and no system copy."""
    base = datasets.FashionMNIST
    offline = type("FashionMNIST", (base,), {"system_folders": (),
                                             "mirrors": ["file:///nonexistent-mirror/"]})
    return offline(os.path.join(scratch(), "offline"), download=True)


def _missing_mnist(lib):
    """MNIST(root) with no files and download=False."""
    return _dataset(lib, "MNIST", os.path.join(scratch(), "empty"))


def _bad_magic(lib):
    """An images file that is not IDX (bad magic number)."""
    root = _root("magic", {_IMAGES: b"GIF89a" + bytes(20), _LABELS: _idx((2,))})
    return _dataset(lib, "FashionMNIST", root, train=False)


def _truncated(lib):
    """An images file cut short (an interrupted download)."""
    root = _root("truncated", {_IMAGES: _idx((2, 28, 28))[:-100], _LABELS: _idx((2,))})
    return _dataset(lib, "FashionMNIST", root, train=False)


def _too_short(lib):
    """An images file of 2 bytes."""
    root = _root("short", {_IMAGES: b"\x00\x00", _LABELS: _idx((2,))})
    return _dataset(lib, "FashionMNIST", root, train=False)


def _bad_gzip(lib):
    """A .gz images file that is not gzip data."""
    root = _root("gzip", {_IMAGES + ".gz": b"not gzip at all", _LABELS: _idx((2,))})
    return _dataset(lib, "FashionMNIST", root, train=False)


def _unknown_type(lib):
    """An IDX file with an unknown element type code."""
    root = _root("code", {_IMAGES: _idx((2, 28, 28), code=0x07), _LABELS: _idx((2,))})
    return _dataset(lib, "FashionMNIST", root, train=False)


def _swapped(lib):
    """The labels file saved under the images file's name."""
    root = _root("swapped", {_IMAGES: _idx((2,)), _LABELS: _idx((2,))})
    return _dataset(lib, "FashionMNIST", root, train=False)


def _counts(lib):
    """Images and labels files from different downloads (3 images, 2 labels)."""
    root = _root("counts", {_IMAGES: _idx((3, 28, 28)), _LABELS: _idx((2,))})
    return _dataset(lib, "FashionMNIST", root, train=False)


def _label_range(lib):
    """A labels file holding the label 12 (Fashion-MNIST has 10 classes)."""
    root = _root("labels", {_IMAGES: _idx((2, 28, 28)), _LABELS: _idx((2,), data=bytes([1, 12]))})
    return _dataset(lib, "FashionMNIST", root, train=False)


def _past_the_end(lib):
    """dataset[2] of a dataset of 2 images."""
    root = _root("small", {_IMAGES + ".gz": gzip.compress(_idx((2, 28, 28))),
                           _LABELS: _idx((2,))})
    return _dataset(lib, "FashionMNIST", root, train=False)[2]


CASES = [
    _case("FashionMNIST/not-downloaded", _missing, RuntimeError,
          ("Dataset not found. You can use download=True to download it",
           "t10k-images-idx3-ubyte", os.path.join("FashionMNIST", "raw"))),
    _case("MNIST/not-downloaded", _missing_mnist, RuntimeError,
          ("Dataset not found. You can use download=True to download it",
           "train-images-idx3-ubyte", os.path.join("MNIST", "raw"))),
    _case("FashionMNIST/download-offline", _offline, RuntimeError,
          ("could not download", "apt-get install dataset-fashion-mnist",
           "check the network connection")),
    _case("FashionMNIST/not-an-IDX-file", _bad_magic, RuntimeError,
          (_IMAGES, "bad magic number", "delete it and get it again")),
    _case("FashionMNIST/truncated-file", _truncated, RuntimeError,
          (_IMAGES, "truncated", "[2, 28, 28]", "delete it and get it again")),
    _case("FashionMNIST/two-byte-file", _too_short, RuntimeError,
          (_IMAGES, "too short for the 4-byte IDX magic number", "get it again")),
    _case("FashionMNIST/bad-gzip", _bad_gzip, RuntimeError,
          (_IMAGES + ".gz", "cannot be decompressed as gzip", "get it again")),
    _case("FashionMNIST/unknown-element-type", _unknown_type, RuntimeError,
          ("unknown element type code 0x07", "get it again")),
    _case("FashionMNIST/labels-as-images", _swapped, RuntimeError,
          ("expected uint8 images of shape (N, H, W)", "replace it")),
    _case("FashionMNIST/images-and-labels-disagree", _counts, RuntimeError,
          ("holds 3 images but", "holds 2 labels", "get both again")),
    _case("FashionMNIST/label-out-of-range", _label_range, RuntimeError,
          ("label 12 out of range for 10 classes", "replace it")),
    _case("FashionMNIST/index-past-the-end", _past_the_end, IndexError,
          ("index 2 is out of bounds for dimension 0 with size 2",)),
    _case("transforms.Resize/float-size", lambda lib: transforms.Resize(28.5), TypeError,
          ("Size should be int or sequence. Got <class 'float'>",)),
    _case("transforms.Resize/three-sizes", lambda lib: transforms.Resize((1, 2, 3)), ValueError,
          ("If size is a sequence, it should have 1 or 2 values",)),
    _case("transforms.Lambda/not-callable", lambda lib: transforms.Lambda(3), TypeError,
          ("Argument lambd should be callable, got 'int'",)),
    _case("transforms.ToTensor/list", lambda lib: transforms.ToTensor()([1, 2]), TypeError,
          ("pic should be PIL Image or ndarray. Got <class 'list'>",)),
    _case("transforms.ToTensor/4-d-array",
          lambda lib: transforms.ToTensor()(__import__("numpy").zeros((1, 1, 2, 2), "uint8")),
          ValueError, ("pic should be 2/3 dimensional. Got 4 dimensions.",)),
    _case("transforms.Normalize/1-d-tensor",
          lambda lib: transforms.Normalize((0.5,), (0.5,))(lib.ones(4)), TypeError,
          ("Tensor is not a torch image.",)),
    _case("transforms.Normalize/zero-std",
          lambda lib: transforms.Normalize((0.5,), (0.0,))(lib.ones(1, 2, 2)), ValueError,
          ("std evaluated to zero", "division by zero")),
    _case("transforms.Normalize/int-image",
          lambda lib: transforms.Normalize((0.5,), (0.5,))(lib.ones(1, 2, 2, dtype=lib.uint8)),
          TypeError, ("Input tensor should be a float tensor. Got torch.uint8.",)),
    _case("transforms.Normalize/channel-count",
          lambda lib: transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))(lib.ones(1, 2, 2)),
          RuntimeError, ("The size of tensor a (1) must match the size of tensor b (3)",)),
    _case("transforms.Normalize/2-d-tensor",
          lambda lib: transforms.Normalize((0.5,), (0.5,))(lib.ones(4, 4)), ValueError,
          ("Expected tensor to be a tensor image of size (..., C, H, W)",)),
]
