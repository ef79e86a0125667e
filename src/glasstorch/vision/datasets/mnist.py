"""MNIST and Fashion-MNIST: 28×28 grayscale images with labels 0–9 (torchvision's API).

``FashionMNIST(root, train=True, transform=None, target_transform=None, download=False)`` reads
the IDX files of one split from ``root/FashionMNIST/raw/<name>`` or ``<name>.gz`` (``~``
expanded; torchvision's layout), and only from there: without them it raises torchvision's
``RuntimeError: Dataset not found. You can use download=True to download it``.

``download=True`` puts the missing files in that folder first, as torchvision does. The
"download" takes them from a system folder filled by a package when there is one
(``/usr/share/datasets/fashion-mnist``, Debian's ``dataset-fashion-mnist``;
``/usr/share/datasets/mnist`` for MNIST), linked (or copied) in place of a download, else from the
dataset's public mirrors (MD5-checked, with a progress bar).

The whole split loads into one uint8 array (``dataset.data``, N×28×28) and ``dataset.targets``
(int64, N) at construction.

``dataset[i]`` is ``(image, label)``: the image is a PIL ``Image`` (mode ``'L'``) as in
torchvision when Pillow is installed, else (glasstorch's stand-in) a 28×28 uint8 tensor; then
``transform`` is applied to it and ``target_transform`` to the int label. ``DataLoader`` batches
go through ``__getbatch__``, which converts a whole batch in one NumPy operation for the usual
transforms (``ToTensor``, ``Normalize``, ``Resize``, ``CenterCrop``, ...) and gives exactly what
collating the items one by one would.
"""

from __future__ import annotations

import functools
import os
import warnings

import numpy as np

from ..._tensor import _wrap
from ...utils.data import Dataset
from ...utils.data._collate import default_collate
from . import sources
from .idx import read_idx

__all__ = ["VisionDataset", "StandardTransform", "MNIST", "FashionMNIST"]


def _indent_lines(head: str, text: str) -> list[str]:
    lines = text.splitlines()
    return [head + lines[0]] + [" " * len(head) + line for line in lines[1:]]


class StandardTransform:
    """Applies ``transform`` to the input and ``target_transform`` to the target of a sample."""

    def __init__(self, transform=None, target_transform=None) -> None:
        self.transform = transform
        self.target_transform = target_transform

    def __call__(self, input, target):
        if self.transform is not None:
            input = self.transform(input)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return input, target

    def __repr__(self) -> str:
        body = [type(self).__name__]
        if self.transform is not None:
            body += _indent_lines("Transform: ", repr(self.transform))
        if self.target_transform is not None:
            body += _indent_lines("Target transform: ", repr(self.target_transform))
        return "\n".join(body)


class VisionDataset(Dataset):
    """Base of the vision datasets: ``root`` (``~`` expanded), transforms and torchvision's repr."""

    _repr_indent = 4

    def __init__(self, root=None, transforms=None, transform=None, target_transform=None):
        if isinstance(root, str):
            root = os.path.expanduser(root)
        elif isinstance(root, os.PathLike):
            root = os.path.expanduser(os.fspath(root))
        self.root = root
        if transforms is not None and (transform is not None or target_transform is not None):
            raise ValueError("Only transforms or transform/target_transform can be passed as "
                             "argument")
        self.transform = transform
        self.target_transform = target_transform
        if transform is not None or target_transform is not None:
            transforms = StandardTransform(transform, target_transform)
        self.transforms = transforms

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        body = [f"Number of datapoints: {len(self)}"]
        if self.root is not None:
            body.append(f"Root location: {self.root}")
        body += self.extra_repr().splitlines()
        if self.transforms is not None:
            body.append(repr(self.transforms))  # only its first line is indented, as torchvision
        return "\n".join([f"Dataset {type(self).__name__}"]
                         + [" " * self._repr_indent + line for line in body])


@functools.cache  # a failed import is not cached by Python: ask once
def _pil_image_module():
    try:
        from PIL import Image
    except ImportError:
        return None
    return Image


class MNIST(VisionDataset):
    """The MNIST handwritten digits: 60000 training and 10000 test images, 28×28 uint8.

    ``root``: the folder holding ``MNIST/raw``; ``train``: the training split (else the test
    split); ``transform(image)`` / ``target_transform(label)``: applied to each sample;
    ``download``: put missing files in ``MNIST/raw`` first (from a system folder, else from
    ``mirrors``).
    """

    mirrors = [
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    ]
    resources = [
        ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
        ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
        ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
    ]
    training_file = "training.pt"
    test_file = "test.pt"
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six",
               "7 - seven", "8 - eight", "9 - nine"]
    # Folders a system package installs the files into (the "download" takes them from there).
    system_folders: tuple[str, ...] = ("/usr/share/datasets/mnist",)
    # How to get the data from a package, for the "not found" message ("" when none exists).
    package_hint = ""

    def __init__(self, root, train: bool = True, transform=None, target_transform=None,
                 download: bool = False) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        images, labels = self._locate(download)
        self.data, self.targets = self._load(images, labels)

    # ---- where the files are ---------------------------------------------------------------
    @property
    def raw_folder(self) -> str:
        return os.path.join(self.root, type(self).__name__, "raw")

    @property
    def processed_folder(self) -> str:
        return os.path.join(self.root, type(self).__name__, "processed")

    @property
    def class_to_idx(self) -> dict[str, int]:
        return {name: i for i, name in enumerate(self.classes)}

    def _split_files(self) -> list[tuple[str, str]]:
        """(file name without .gz, md5 of the .gz) of this split's images and labels."""
        prefix = "train" if self.train else "t10k"
        return [(name[:-3], md5) for name, md5 in self.resources if name.startswith(prefix)]

    def _check_exists(self) -> bool:
        """Whether all four files (both splits) are in the raw folder."""
        return all(sources.find_file(name[:-3], [self.raw_folder]) for name, _ in self.resources)

    def download(self) -> None:
        """Put every file of the dataset that ``raw_folder`` lacks there: linked from a system
        folder that has it, else fetched from ``mirrors`` (MD5-checked)."""
        self._download([name for name, _ in self.resources])

    def _download(self, names: list[str]) -> None:
        for name, md5 in self.resources:
            if name not in names or sources.find_file(name[:-3], [self.raw_folder]):
                continue
            installed = sources.find_file(name[:-3], self.system_folders)
            if installed is not None:
                sources.link_or_copy(installed, self.raw_folder)
                continue
            try:
                sources.download_file(self.mirrors, name, md5, self.raw_folder)
            except sources.DownloadError as e:
                raise RuntimeError(f"{type(self).__name__}: {e}. {self._how_to()}") from None

    def _locate(self, download: bool) -> list[str]:
        """Paths of this split's images and labels files in ``raw_folder``, put there first
        when ``download=True``."""
        names = [name for name, _ in self._split_files()]
        if download:
            self._download([name + ".gz" for name in names])
        found = [sources.find_file(name, [self.raw_folder]) for name in names]
        if all(found):
            return found
        looked_for = " and ".join(f"{name}[.gz]" for name in names)
        installed = [f for f in self.system_folders if os.path.isdir(f)]
        source = (f"it links the copy in {installed[0]}" if installed
                  else "it fetches the files from " + " or ".join(self.mirrors))
        if not installed and self.package_hint:
            source += f"; or {self.package_hint}, and it links that copy instead"
        raise RuntimeError(
            "Dataset not found. You can use download=True to download it (glasstorch looked "
            f"for {looked_for} in {self.raw_folder}; with download=True {source})"
        )

    def _how_to(self) -> str:
        """How to get the files when ``download=True`` could not (it was asked already)."""
        files = ", ".join(name for name, _ in self.resources)
        ways = [self.package_hint] if self.package_hint else []
        ways.append("check the network connection and try again")
        ways.append(f"put the files {files} (gzipped or not) in {self.raw_folder}")
        return "To get it: " + "; or ".join(ways) + "."

    # ---- loading ---------------------------------------------------------------------------
    def _load(self, images_path: str, labels_path: str):
        images, labels = read_idx(images_path), read_idx(labels_path)
        if images.ndim != 3 or images.dtype != np.uint8:
            raise RuntimeError(f"{images_path}: expected uint8 images of shape (N, H, W), found "
                               f"{images.dtype} of shape {list(images.shape)}; it is not an "
                               "image file of this dataset: replace it")
        if labels.ndim != 1 or labels.dtype != np.uint8:
            raise RuntimeError(f"{labels_path}: expected uint8 labels of shape (N,), found "
                               f"{labels.dtype} of shape {list(labels.shape)}; it is not a label "
                               "file of this dataset: replace it")
        if len(images) != len(labels):
            raise RuntimeError(f"{images_path} holds {len(images)} images but {labels_path} holds "
                               f"{len(labels)} labels: the two files do not belong together; "
                               "get both again")
        if len(labels) and int(labels.max()) >= len(self.classes):
            raise RuntimeError(f"{labels_path}: label {int(labels.max())} out of range for "
                               f"{len(self.classes)} classes; the file is corrupt: replace it")
        return _wrap(images.copy()), _wrap(labels.astype(np.int64))

    # ---- samples ---------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.data)

    def _image(self, pixels: np.ndarray):
        """One H×W uint8 array as the image handed to ``transform``."""
        image_module = _pil_image_module()
        if image_module is None:
            return _wrap(pixels.copy())
        return image_module.fromarray(pixels)  # 2-D uint8: mode "L"

    def __getitem__(self, index):
        """``(image, label)``: the image as PIL (or uint8 tensor without Pillow), label an int."""
        try:
            pixels, target = self.data._data[index], int(self.targets._data[index])
        except IndexError as e:
            raise IndexError(str(e).replace("axis", "dimension")) from None
        img = self._image(pixels)
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __getbatch__(self, indices):
        """``default_collate([self[i] for i in indices])``, computed a whole batch at a time."""
        from ..transforms._batch import plan_for

        if self.target_transform is not None:
            return default_collate([self[i] for i in indices])
        plan = plan_for(self.transform, _pil_image_module() is not None)  # cheap: no caching
        try:
            idx = np.asarray(indices, dtype=np.intp)
            pixels, targets = self.data._data[idx], self.targets._data[idx]
        except IndexError as e:
            raise IndexError(str(e).replace("axis", "dimension")) from None
        return [plan(pixels, self._image), _wrap(targets)]

    def extra_repr(self) -> str:
        return f"Split: {'Train' if self.train is True else 'Test'}"

    # ---- torchvision's deprecated names ----------------------------------------------------
    def _deprecated(self, name: str, new: str):
        warnings.warn(f"{name} has been renamed {new}", UserWarning, stacklevel=3)
        return getattr(self, new)

    train_data = property(lambda self: self._deprecated("train_data", "data"))
    test_data = property(lambda self: self._deprecated("test_data", "data"))
    train_labels = property(lambda self: self._deprecated("train_labels", "targets"))
    test_labels = property(lambda self: self._deprecated("test_labels", "targets"))


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST: 28×28 grayscale clothing images in 10 classes (MNIST's format).

    Same arguments and attributes as ``MNIST``; the files are read from
    ``root/FashionMNIST/raw``, where ``download=True`` links them from
    ``/usr/share/datasets/fashion-mnist`` (Debian's ``dataset-fashion-mnist`` package) when it is
    installed.
    """

    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
        ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
        ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
    ]
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot"]
    system_folders = ("/usr/share/datasets/fashion-mnist",)
    package_hint = "install the Debian package (sudo apt-get install dataset-fashion-mnist)"
