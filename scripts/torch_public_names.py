"""Write PyTorch's public names (data) and the page that says which of them glasstorch has.

Two outputs:

- ``src/glasstorch/_torch_names.py``: for each namespace glasstorch mirrors (``torch``,
  ``torch.Tensor``, ``torch.nn``, ``torch.nn.functional``, ``torch.optim``,
  ``torch.utils.data``, ``torchvision``, ``torchvision.datasets``), the names the installed
  PyTorch/torchvision make public. glasstorch's module ``__getattr__`` consults it to tell a
  learner "glasstorch does not implement torch.nn.LSTM yet" instead of a bare AttributeError
  (``glasstorch/_missing.py``). Namespaces whose package is not installed (torchvision, often)
  keep the names the file already holds.
- ``docs/API_COVERAGE.md``: per namespace, how many of those names glasstorch has, and which.

A public name is one ``dir()`` lists without a leading ``_``, leaving out the standard-library
and typing modules/objects a namespace happens to import (``torch.os``, ``F.Optional``).

    python scripts/torch_public_names.py                  # both (needs torch installed)
    python scripts/torch_public_names.py --coverage-only  # only the page, from the stored names

Rerun ``--coverage-only`` after adding names to glasstorch; rerun it all after a torch upgrade.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import textwrap
import types

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "src"))
NAMES_FILE = os.path.join(ROOT, "src", "glasstorch", "_torch_names.py")
COVERAGE_FILE = os.path.join(ROOT, "docs", "API_COVERAGE.md")

# PyTorch namespace → (the module or class holding it there, glasstorch's counterpart).
NAMESPACES = {
    "torch": ("torch", "glasstorch"),
    "torch.Tensor": ("torch:Tensor", "glasstorch:Tensor"),
    "torch.nn": ("torch.nn", "glasstorch.nn"),
    "torch.nn.functional": ("torch.nn.functional", "glasstorch.nn.functional"),
    "torch.optim": ("torch.optim", "glasstorch.optim"),
    "torch.utils.data": ("torch.utils.data", "glasstorch.utils.data"),
    "torchvision": ("torchvision", "glasstorch.vision"),
    "torchvision.datasets": ("torchvision.datasets", "glasstorch.vision.datasets"),
}


# Used only when torchvision is not installed and the stored file has no torchvision names yet:
# its public names as torchvision's documentation lists them (0.2x).
TORCHVISION_FALLBACK = {
    "torchvision": [
        "datasets", "get_image_backend", "get_video_backend", "io", "models", "ops",
        "set_image_backend", "set_video_backend", "transforms", "tv_tensors", "utils",
    ],
    "torchvision.datasets": [
        "CIFAR10", "CIFAR100", "CLEVRClassification", "Caltech101", "Caltech256", "CelebA",
        "Cityscapes", "CocoCaptions", "CocoDetection", "Country211", "DTD", "DatasetFolder",
        "EMNIST", "EuroSAT", "FER2013", "FGVCAircraft", "FakeData", "FashionMNIST", "Flickr30k",
        "Flickr8k", "Flowers102", "Food101", "GTSRB", "HMDB51", "INaturalist", "ImageFolder",
        "ImageNet", "Imagenette", "KMNIST", "Kinetics", "Kitti", "LFWPairs", "LFWPeople", "LSUN",
        "LSUNClass", "MNIST", "MovingMNIST", "Omniglot", "OxfordIIITPet", "PCAM", "PhotoTour",
        "Places365", "QMNIST", "RenderedSST2", "SBDataset", "SBU", "SEMEION", "STL10", "SUN397",
        "SVHN", "StanfordCars", "UCF101", "USPS", "VOCDetection", "VOCSegmentation",
        "VisionDataset", "WIDERFace",
    ],
}


def resolve(spec: str):
    """``"pkg.mod"`` → the module; ``"pkg:Attr"`` → that attribute of ``pkg``."""
    module, _, attr = spec.partition(":")
    obj = importlib.import_module(module)
    return getattr(obj, attr) if attr else obj


def public_names(namespace: str, obj) -> list[str]:
    """``obj``'s public names, without what it merely imported from outside its package."""
    package = namespace.split(".")[0]
    names = []
    for name in dir(obj):
        if name.startswith("_"):
            continue
        try:
            value = getattr(obj, name)
        except Exception:  # noqa: BLE001 - a name dir() lists but cannot give is not usable API
            continue
        if isinstance(value, types.ModuleType):
            if not value.__name__.startswith(namespace.replace(":", ".") + "."):
                continue  # torch.os, F.math, F.torch
        else:
            origin = getattr(value, "__module__", None)
            if isinstance(origin, str) and not origin.startswith(package):
                if not isinstance(obj, type):  # a class's methods are its own API
                    continue  # F.Optional, torch.nn.functional.Callable
        names.append(name)
    return sorted(names)


def stored_names() -> dict[str, frozenset[str]]:
    if not os.path.exists(NAMES_FILE):
        return {}
    scope: dict = {}
    with open(NAMES_FILE) as f:
        exec(compile(f.read(), NAMES_FILE, "exec"), scope)  # our own generated data file
    return dict(scope["PUBLIC_NAMES"])


def collect() -> dict[str, list[str]]:
    names = {k: sorted(v) for k, v in stored_names().items()}
    for namespace, (theirs, _) in NAMESPACES.items():
        try:
            obj = resolve(theirs)
        except ImportError:
            print(f"{namespace}: not installed, keeping the stored names", file=sys.stderr)
            names.setdefault(namespace, sorted(TORCHVISION_FALLBACK.get(namespace, [])))
            continue
        names[namespace] = public_names(namespace, obj)
    return names


def write_names(names: dict[str, list[str]]) -> None:
    versions = []
    for package in ("torch", "torchvision"):
        try:
            versions.append(f"{package} {importlib.import_module(package).__version__}")
        except ImportError:
            pass
    lines = [
        f'"""PyTorch\'s public names, by namespace (data: generated from {", ".join(versions)}',
        "by scripts/torch_public_names.py; do not edit by hand).",
        "",
        "glasstorch/_missing.py uses them to say that a name is PyTorch API glasstorch has not",
        'written yet, rather than a bare AttributeError."""',
        "",
        "PUBLIC_NAMES = {",
    ]
    for namespace, listed in names.items():
        lines.append(f'    "{namespace}": frozenset({{')
        body = " ".join(f'"{n}",' for n in listed)
        lines += textwrap.wrap(body, 99, initial_indent="        ", subsequent_indent="        ")
        lines.append("    }),")
    lines.append("}")
    with open(NAMES_FILE, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {os.path.relpath(NAMES_FILE, ROOT)}")


def has(obj, name: str) -> bool:
    try:
        getattr(obj, name)
    except (AttributeError, NotImplementedError):
        return False
    return True


def write_coverage(names: dict[str, list[str]]) -> None:
    rows, sections = [], []
    for namespace, listed in names.items():
        ours = resolve(NAMESPACES[namespace][1])
        present = [n for n in listed if has(ours, n)]
        missing = [n for n in listed if not has(ours, n)]
        rows.append(f"| `{namespace}` | {len(listed)} | {len(present)} | "
                    f"{100 * len(present) / max(len(listed), 1):.0f}% |")
        sections += [f"## `{namespace}`", "",
                     f"{len(present)} of {len(listed)} names exist in glasstorch:", ""]
        sections += textwrap.wrap(", ".join(f"`{n}`" for n in present), 100) or ["(none)"]
        sections += ["", "<details><summary>Not yet in glasstorch "
                     f"({len(missing)})</summary>", ""]
        sections += textwrap.wrap(", ".join(f"`{n}`" for n in missing), 100) or ["(none)"]
        sections += ["", "</details>", ""]
    text = "\n".join([
        "# API coverage: which PyTorch names glasstorch has",
        "",
        "Generated by `scripts/torch_public_names.py` (rerun it with `--coverage-only` after",
        "adding names). A name *exists* when glasstorch's matching module or `Tensor` has it; it",
        "says nothing about every argument being supported (docs/FIDELITY.md covers that). Using a",
        "name that is not here raises `NotImplementedError: glasstorch does not implement ... yet`",
        "(also an `AttributeError`, so `hasattr` answers `False`).",
        "",
        "| namespace | PyTorch names | in glasstorch | share |",
        "|---|---:|---:|---:|",
        *rows,
        "",
        *sections,
    ])
    with open(COVERAGE_FILE, "w") as f:
        f.write(text)
    print(f"wrote {os.path.relpath(COVERAGE_FILE, ROOT)}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--coverage-only", action="store_true",
                    help="only rewrite docs/API_COVERAGE.md, from the stored names")
    args = ap.parse_args(argv)
    if args.coverage_only:
        names = {k: sorted(v) for k, v in stored_names().items()}
    else:
        names = collect()
        write_names(names)
    write_coverage(names)
    return 0


if __name__ == "__main__":
    sys.exit(main())
